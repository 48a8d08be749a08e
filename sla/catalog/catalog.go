package catalog

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/sla"
)

// CurrentTTL is how long a process trusts its idea of the current versions. A policy or calendar
// saved through another API instance is used here at most this much later; versions themselves
// are immutable and cached for good. Its age is read on the injected clock, like every other time.
const CurrentTTL = 2 * time.Second

type policyKey struct {
	tier    sla.Tier
	version int
}

type current struct {
	at        time.Time
	policies  map[sla.Tier]int
	calendars map[string]int
	set       sla.Calendars
}

// Catalog is the store and cache of policies and calendars. Safe for concurrent use.
type Catalog struct {
	store *Store
	clock clock.Clock

	mu         sync.Mutex
	policies   map[policyKey]sla.Policy
	created    map[policyKey]time.Time
	calendars  map[string]*sla.Calendar // by name@version
	cur        *current
	refreshing bool
	defaults   bool
}

// New returns a catalog over the store; c dates new versions and ages the current ones.
func New(s *Store, c clock.Clock) *Catalog {
	c = clock.Required(c, "catalog.New")
	return &Catalog{store: s, clock: c, policies: map[policyKey]sla.Policy{}, created: map[policyKey]time.Time{},
		calendars: map[string]*sla.Calendar{}}
}

// EnsureDefaults stores version 1 of the SPEC matrix for each tier and the jp-business calendar
// where the tables have none. Idempotent; concurrent callers insert once.
func (c *Catalog) EnsureDefaults(ctx context.Context) error {
	now := c.clock.Now()
	var cals []calendarRow
	for _, spec := range sla.DefaultCalendars() {
		cals = append(cals, calendarRow{Name: spec.Name, Version: 1, Spec: FromSpec(spec), CreatedAt: now})
	}
	var pols []policyRow
	for _, p := range sla.DefaultPolicies() {
		pols = append(pols, policyRow{Tier: string(p.Tier), Version: 1, Cells: FromPolicy(p, now).Cells, CreatedAt: now})
	}
	return c.store.insertDefaults(ctx, cals, pols)
}

// ensureDefaults runs EnsureDefaults once per process, so a fresh database plans from the SPEC
// matrix without a separate seeding step.
func (c *Catalog) ensureDefaults(ctx context.Context) error {
	c.mu.Lock()
	done := c.defaults
	c.mu.Unlock()
	if done {
		return nil
	}
	if err := c.EnsureDefaults(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	c.defaults = true
	c.mu.Unlock()
	return nil
}

// current returns the current version of each tier's policy and the current calendar set. Once
// loaded, a stale answer is refreshed in the background and the cached one used meanwhile, so a
// caller inside a transaction never waits on a second pooled connection.
func (c *Catalog) current(ctx context.Context) (*current, error) {
	c.mu.Lock()
	cur := c.cur
	stale := cur != nil && c.clock.Now().Sub(cur.at) >= CurrentTTL && !c.refreshing
	if stale {
		c.refreshing = true
	}
	c.mu.Unlock()
	if stale {
		go func() {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, _ = c.load(rctx)
			c.mu.Lock()
			c.refreshing = false
			c.mu.Unlock()
		}()
	}
	if cur != nil {
		return cur, nil
	}
	return c.load(ctx)
}

// load reads the current versions from the database.
func (c *Catalog) load(ctx context.Context) (*current, error) {
	now := c.clock.Now()
	if err := c.ensureDefaults(ctx); err != nil {
		return nil, err
	}
	policies, calendars, err := c.store.currentVersions(ctx)
	if err != nil {
		return nil, err
	}
	next := &current{at: now, policies: policies, calendars: calendars}
	var cals []*sla.Calendar
	for name, version := range calendars {
		cal, err := c.calendar(ctx, name, version)
		if err != nil {
			return nil, err
		}
		cals = append(cals, cal)
	}
	next.set = sla.NewCalendars(cals...)
	c.mu.Lock()
	c.cur = next
	c.mu.Unlock()
	return next, nil
}

func (c *Catalog) calendar(ctx context.Context, name string, version int) (*sla.Calendar, error) {
	key := name + "@" + itoa(version)
	c.mu.Lock()
	cal, ok := c.calendars[key]
	c.mu.Unlock()
	if ok {
		return cal, nil
	}
	r, err := c.store.findCalendar(ctx, name, version)
	if err != nil {
		return nil, err
	}
	spec, err := r.Spec.ToSpec()
	if err != nil {
		return nil, apperr.Wrap(err, "stored calendar %s is invalid", key)
	}
	spec.Name = name
	cal, err = sla.Compile(spec)
	if err != nil {
		return nil, apperr.Wrap(err, "stored calendar %s is invalid", key)
	}
	c.mu.Lock()
	c.calendars[key] = cal
	c.mu.Unlock()
	return cal, nil
}

// Policy returns one version of a tier's policy (immutable, cached).
// Errors: not_found.
func (c *Catalog) Policy(ctx context.Context, tier sla.Tier, version int) (sla.Policy, error) {
	key := policyKey{tier, version}
	c.mu.Lock()
	p, ok := c.policies[key]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	if err := c.ensureDefaults(ctx); err != nil {
		return sla.Policy{}, err
	}
	r, err := c.store.findPolicy(ctx, tier, version)
	if err != nil {
		return sla.Policy{}, err
	}
	p = sla.Policy{Tier: tier, Version: version}
	for i, cell := range r.Cells {
		sc, err := cell.ToCell("cells[" + itoa(i) + "]")
		if err != nil {
			return sla.Policy{}, apperr.Wrap(err, "stored policy %s v%d is invalid", tier, version)
		}
		p.Cells = append(p.Cells, sc)
	}
	c.mu.Lock()
	c.policies[key] = p
	c.created[key] = r.CreatedAt.UTC()
	c.mu.Unlock()
	return p, nil
}

// CurrentPolicy returns the newest version of the tier's policy.
func (c *Catalog) CurrentPolicy(ctx context.Context, tier sla.Tier) (sla.Policy, error) {
	cur, err := c.current(ctx)
	if err != nil {
		return sla.Policy{}, err
	}
	v, ok := cur.policies[tier]
	if !ok {
		return sla.Policy{}, apperr.NotFoundf("no policy for tier %s", tier)
	}
	return c.Policy(ctx, tier, v)
}

// Calendars returns the current calendar set.
func (c *Catalog) Calendars(ctx context.Context) (sla.Calendars, error) {
	cur, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	return cur.set, nil
}

// Policies returns the current version of each tier's policy, standard first.
func (c *Catalog) Policies(ctx context.Context) ([]PolicyVersion, error) {
	out := []PolicyVersion{}
	for _, t := range sla.Tiers {
		p, err := c.CurrentPolicy(ctx, t)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		created := c.created[policyKey{t, p.Version}]
		c.mu.Unlock()
		out = append(out, FromPolicy(p, created))
	}
	return out, nil
}

// PutPolicy stores a new version of a tier's policy: the given cells replace theirs, cells not
// given keep their value. The new version applies to incidents planned from now on.
// Errors: forbidden, invalid_value (with the field), conflict (a concurrent edit; retry).
func (c *Catalog) PutPolicy(ctx context.Context, actorID uuid.UUID, tier sla.Tier, cells []Cell) (PolicyVersion, error) {
	if len(cells) == 0 {
		return PolicyVersion{}, apperr.InvalidField("cells", "give at least one cell")
	}
	cur, err := c.CurrentPolicy(ctx, tier)
	if err != nil {
		return PolicyVersion{}, err
	}
	cals, err := c.Calendars(ctx)
	if err != nil {
		return PolicyVersion{}, err
	}
	given := make([]sla.Cell, len(cells))
	for i, cell := range cells {
		if given[i], err = cell.ToCell("cells[" + itoa(i) + "]"); err != nil {
			return PolicyVersion{}, err
		}
	}
	// Validate the request's cells so error paths point into the request, then the result.
	if err := (sla.Policy{Tier: tier, Cells: given}).Validate(cals.Has); err != nil {
		return PolicyVersion{}, err
	}
	next := cur.Merge(given)
	if err := next.Validate(cals.Has); err != nil {
		return PolicyVersion{}, err
	}
	next.Version = cur.Version + 1
	now := c.clock.Now()
	r := policyRow{Tier: string(tier), Version: next.Version, Cells: FromPolicy(next, now).Cells, CreatedBy: &actorID, CreatedAt: now}
	if err := c.store.insertPolicy(ctx, r); err != nil {
		return PolicyVersion{}, err
	}
	c.invalidate()
	return FromPolicy(next, now), nil
}

// ListCalendars returns the current version of every calendar, by name.
func (c *Catalog) ListCalendars(ctx context.Context) ([]Calendar, error) {
	cur, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cur.calendars))
	for n := range cur.calendars {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Calendar, 0, len(names))
	for _, n := range names {
		cal := cur.set[n]
		j := FromSpec(cal.Spec())
		j.Version = cur.calendars[n]
		j.BusinessDay = sla.FormatDuration(cal.BusinessDay())
		out = append(out, j)
	}
	return out, nil
}

// PutCalendar stores a new version of a calendar (or its first).
// Errors: invalid_value (time_zone, weekly.<day>[i], holidays[i], annual_closures[i], name).
func (c *Catalog) PutCalendar(ctx context.Context, actorID uuid.UUID, name string, in Calendar) (Calendar, error) {
	in.Name = name
	spec, err := in.ToSpec()
	if err != nil {
		return Calendar{}, err
	}
	cal, err := sla.Compile(spec)
	if err != nil {
		return Calendar{}, err
	}
	now := c.clock.Now()
	version, err := c.store.insertCalendar(ctx, calendarRow{Name: name, Spec: FromSpec(spec), CreatedBy: &actorID, CreatedAt: now})
	if err != nil {
		return Calendar{}, err
	}
	c.invalidate()
	out := FromSpec(cal.Spec())
	out.Version = version
	out.BusinessDay = sla.FormatDuration(cal.BusinessDay())
	out.CreatedAt = now
	return out, nil
}

func (c *Catalog) invalidate() {
	c.mu.Lock()
	c.cur = nil
	c.mu.Unlock()
}

func itoa(n int) string { return strconv.Itoa(n) }

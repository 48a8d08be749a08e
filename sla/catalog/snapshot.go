package catalog

import (
	"context"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
)

// Pin names the versions an incident is planned with: its tier's policy version and the version
// of each calendar. A calendar the pin does not name is taken at its current version (one
// created after the incident was accepted).
type Pin struct {
	Tier      sla.Tier
	Policy    int
	Calendars map[string]int
}

// Key is the pin as a string, equal for equal pins: callers group incidents by it so that a
// batch builds one snapshot per distinct pin.
func (p Pin) Key() string {
	names := make([]string, 0, len(p.Calendars))
	for n := range p.Calendars {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(string(p.Tier))
	b.WriteByte('@')
	b.WriteString(strconv.Itoa(p.Policy))
	for _, n := range names {
		b.WriteByte(' ')
		b.WriteString(n)
		b.WriteByte('@')
		b.WriteString(strconv.Itoa(p.Calendars[n]))
	}
	return b.String()
}

// Snapshot is everything planning an incident needs, read before a transaction opens: one
// policy version and one version of every calendar. Versions are immutable, so a snapshot never
// goes stale for the incidents pinned to it, and planning with it reads nothing.
type Snapshot struct {
	Policy    sla.Policy
	Calendars sla.Calendars
	// Versions is the version of each calendar in Calendars: what a new incident is pinned to.
	Versions map[string]int
}

// Pin returns the pin that reproduces this snapshot.
func (s Snapshot) Pin() Pin {
	return Pin{Tier: s.Policy.Tier, Policy: s.Policy.Version, Calendars: maps.Clone(s.Versions)}
}

// Plan plans the incident at now. Pure: no I/O.
func (s Snapshot) Plan(in sla.Incident, now time.Time) (sla.Result, error) {
	res, err := sla.Plan(s.Policy, s.Calendars, in, now)
	if err != nil {
		return sla.Result{}, apperr.Wrap(err, "planning")
	}
	return res, nil
}

// Current returns the snapshot a new incident of the tier is planned with: the current policy
// and the current calendars. Errors: not_found (no policy for the tier).
func (c *Catalog) Current(ctx context.Context, tier sla.Tier) (Snapshot, error) {
	cur, err := c.current(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	v, ok := cur.policies[tier]
	if !ok {
		return Snapshot{}, apperr.NotFoundf("no policy for tier %s", tier)
	}
	p, err := c.Policy(ctx, tier, v)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Policy: p, Calendars: cur.set, Versions: maps.Clone(cur.calendars)}, nil
}

// Snapshot returns the snapshot of a pinned incident: its policy version and its calendar
// versions, any calendar it does not name at its current version. Each version is read from the
// database once per process and cached for good.
// Errors: not_found (a version that does not exist).
func (c *Catalog) Snapshot(ctx context.Context, pin Pin) (Snapshot, error) {
	p, err := c.Policy(ctx, pin.Tier, pin.Policy)
	if err != nil {
		return Snapshot{}, err
	}
	cur, err := c.current(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{Policy: p, Calendars: make(sla.Calendars, len(cur.set)), Versions: make(map[string]int, len(cur.set))}
	for name, cal := range cur.set {
		snap.Calendars[name], snap.Versions[name] = cal, cur.calendars[name]
	}
	for name, v := range pin.Calendars {
		if cur.calendars[name] == v {
			continue
		}
		cal, err := c.calendar(ctx, name, v)
		if err != nil {
			return Snapshot{}, err
		}
		snap.Calendars[name], snap.Versions[name] = cal, v
	}
	return snap, nil
}

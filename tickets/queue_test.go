package tickets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/supportd/supportd/tickets/ticketstest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// queueFixture is the package fixture plus an office of its own, so that incidents other tests
// leave open never show in this test's queue: every queue read and claim filters by office.
type queueFixture struct {
	fixture
	office  string
	orgs    map[string]accounts.Organization // by tier
	senior  accounts.User
	junior  accounts.User
	manager accounts.User
	opened  int
}

func newQueueFixture(t *testing.T) *queueFixture {
	t.Helper()
	ctx := context.Background()
	f := &queueFixture{fixture: newFixture(t), orgs: map[string]accounts.Organization{}}
	f.office = fmt.Sprintf("q-%s-%d", t.Name(), seq)
	for _, tier := range []string{"standard", "premium", "platinum"} {
		o, err := f.acc.CreateOrganization(ctx, f.admin, accounts.NewOrganization{Name: f.office + " " + tier, Office: f.office, Tier: tier})
		if err != nil {
			t.Fatal(err)
		}
		f.orgs[tier] = o
	}
	f.senior = f.staff(t, "senior", accounts.Engineer, true)
	f.junior = f.staff(t, "junior", accounts.Engineer, false)
	f.manager = f.staff(t, "manager", accounts.SupportManager, false)
	return f
}

func (f *queueFixture) staff(t *testing.T, name string, role accounts.Role, senior bool) accounts.User {
	t.Helper()
	u, err := f.acc.CreateUser(context.Background(), f.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%s@q.example", name, f.office),
		Name: name, Role: role, Senior: senior, Office: f.office})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// open opens an incident for the office's organisation of that tier, one second after the last.
func (f *queueFixture) open(t *testing.T, tier string, severity int, product string) tickets.Incident {
	t.Helper()
	f.clock.Advance(time.Second)
	f.opened++
	org := f.orgs[tier].ID
	inc, _, err := f.svc.Open(context.Background(), f.admin, tickets.NewIncident{OrganizationID: &org, Product: product,
		Title: fmt.Sprintf("incident %d", f.opened), Description: "details", Severity: sev(severity), Channel: tickets.ChannelPhone}, "")
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// timer stores an SLA timer of the incident due in `in` from the fixture clock.
func (f *queueFixture) timer(t *testing.T, inc tickets.Incident, target sla.Target, in time.Duration, state string) time.Time {
	t.Helper()
	due := f.clock.Now().Add(in).Truncate(time.Microsecond)
	if err := testenv.DB(t).Exec(`INSERT INTO sla_timers (id, incident_id, target, level, due_at, state, created_at)
		VALUES (?, ?, ?, 0, ?, ?, ?)`, uuid.New(), inc.ID, string(target), due, state, f.clock.Now()).Error; err != nil {
		t.Fatal(err)
	}
	// SQL that writes timers directly keeps the incident's nearest deadline by the engine's rule.
	if err := tickets.RefreshNextDeadline(context.Background(), testenv.DB(t), inc.ID); err != nil {
		t.Fatal(err)
	}
	return due
}

func (f *queueFixture) queue(t *testing.T, actor accounts.User, qf tickets.QueueFilter) []tickets.QueueItem {
	t.Helper()
	qf.Office = f.office
	items, err := f.svc.Queue(context.Background(), actor, qf)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func ids(items []tickets.QueueItem) []uuid.UUID {
	out := make([]uuid.UUID, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func sameOrder(t *testing.T, got []tickets.QueueItem, want ...tickets.Incident) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("queue has %d items, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			t.Fatalf("position %d: %s (%s sev %d), want %s (%s sev %d)", i, got[i].Title, got[i].Tier, got[i].Severity,
				want[i].Title, want[i].Tier, want[i].Severity)
		}
	}
}

// TestQueueOrder: premium and platinum first, then severity, then the nearest pending deadline
// (incidents without one after those with one), then the oldest; resolved incidents are out.
func TestQueueOrder(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	std2none := f.open(t, "standard", 2, "p") // oldest standard sev 2, no deadline
	std1 := f.open(t, "standard", 1, "p")     // standard sev 1 comes after every priority incident
	prem3 := f.open(t, "premium", 3, "p")     // priority, but severity 3
	plat1far := f.open(t, "platinum", 1, "p") // priority sev 1, deadline in 5 h
	prem1none := f.open(t, "premium", 1, "p") // priority sev 1, no deadline
	prem1near := f.open(t, "premium", 1, "p") // priority sev 1, deadline in 1 h (newest of them)
	std2far := f.open(t, "standard", 2, "p")  // deadline in 30 min
	std2near := f.open(t, "standard", 2, "p") // deadline in 10 min
	resolved := f.open(t, "premium", 1, "p")  // out of the queue once resolved
	f.timer(t, plat1far, sla.FirstResponse, 5*time.Hour, "pending")
	f.timer(t, prem1near, sla.SupportManager, 2*time.Hour, "pending")
	nearDue := f.timer(t, prem1near, sla.FirstResponse, time.Hour, "pending") // the nearer of its two
	f.timer(t, prem1near, sla.UpdateCadence, -time.Hour, "fired")             // not pending: ignored
	f.timer(t, prem1none, sla.FirstResponse, -time.Minute, "cancelled")       // not pending: ignored
	f.timer(t, std2far, sla.FirstResponse, 30*time.Minute, "pending")
	f.timer(t, std2near, sla.FirstResponse, 10*time.Minute, "pending")
	f.timer(t, resolved, sla.FirstResponse, time.Minute, "pending")
	if _, err := f.svc.Resolve(ctx, f.senior, resolved.ID, "fixed"); err != nil {
		t.Fatal(err)
	}

	items := f.queue(t, f.junior, tickets.QueueFilter{})
	sameOrder(t, items, prem1near, plat1far, prem1none, prem3, std1, std2near, std2far, std2none)
	first := items[0]
	if first.NextDueAt == nil || !first.NextDueAt.Equal(nearDue) || first.NextTarget == nil || *first.NextTarget != sla.FirstResponse {
		t.Fatalf("nearest deadline of the first item: %v %v, want %v first_response", first.NextDueAt, first.NextTarget, nearDue)
	}
	if items[2].NextDueAt != nil || items[2].NextTarget != nil {
		t.Fatalf("an incident without a pending timer has next_due_at %v", items[2].NextDueAt)
	}
	if first.Reference == "" || first.Tier != "premium" || first.AssigneeID != nil {
		t.Fatalf("queue item does not carry the incident: %+v", first.Incident)
	}
	// Admins and support managers read the same queue.
	for _, u := range []accounts.User{f.admin, f.manager} {
		sameOrder(t, f.queue(t, u, tickets.QueueFilter{}), prem1near, plat1far, prem1none, prem3, std1, std2near, std2far, std2none)
	}
}

// TestQueueFollowsTimers: with real planning, an item's nearest deadline is the plan's earliest
// pending target as the lifecycle moves it (whoever writes an incident's timers writes its
// next_due_at in the same statement: nextDeadline, migration 00010).
func TestQueueFollowsTimers(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	f.svc = tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Users: f.acc, Clock: f.clock})
	inc := f.open(t, "premium", 1, "p")
	check := func(step string, want sla.Target) {
		t.Helper()
		items := f.queue(t, f.senior, tickets.QueueFilter{})
		if len(items) != 1 || items[0].SLA == nil {
			t.Fatalf("%s: %d items", step, len(items))
		}
		var first *catalog.Target
		for i, tg := range items[0].SLA.Targets {
			if tg.State == sla.Pending && tg.DueAt != nil && (first == nil || tg.DueAt.Before(*first.DueAt)) {
				first = &items[0].SLA.Targets[i]
			}
		}
		it := items[0]
		if first == nil || it.NextDueAt == nil || !it.NextDueAt.Equal(*first.DueAt) || *it.NextTarget != first.Target || first.Target != want {
			t.Fatalf("%s: next %v %v, plan's first pending %+v, want %s", step, it.NextDueAt, it.NextTarget, first, want)
		}
	}
	check("opened", sla.FirstResponse)
	f.clock.Advance(10 * time.Minute)
	env := tickets.ScopeEnvironment
	if _, err := f.svc.Patch(ctx, f.senior, inc.ID, nil, &env, "customer's proxy"); err != nil {
		t.Fatal(err)
	}
	claimed, err := f.svc.Claim(ctx, f.senior, tickets.QueueFilter{Office: f.office})
	if err != nil {
		t.Fatal(err)
	}
	// The claim plans from the timeline its statement read: the same sla block as a fresh read.
	got, err := f.svc.Get(ctx, f.senior, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(claimed)
	b, _ := json.Marshal(got)
	if claimed.SLA == nil || string(a) != string(b) {
		t.Fatalf("claim answer differs from a read:\n%s\n%s", a, b)
	}
	if _, err := f.svc.Acknowledge(ctx, f.senior, inc.ID, ""); err != nil {
		t.Fatal(err)
	}
	check("acknowledged", sla.UpdateCadence) // out of scope: no escalation; the next update is due
	f.clock.Advance(time.Minute)
	if _, err := f.svc.Resolve(ctx, f.senior, inc.ID, "fixed"); err != nil {
		t.Fatal(err)
	}
	if items := f.queue(t, f.senior, tickets.QueueFilter{}); len(items) != 0 {
		t.Fatalf("resolved incident queued: %d", len(items))
	}
	var pending int64
	if err := db.Raw("SELECT count(*) FROM incidents WHERE id = ? AND next_due_at IS NULL AND next_target IS NULL", inc.ID).Scan(&pending).Error; err != nil || pending != 1 {
		t.Fatalf("resolved incident keeps a next deadline (%v)", err)
	}
	if _, err := f.svc.Reopen(ctx, f.senior, inc.ID, "again"); err != nil {
		t.Fatal(err)
	}
	check("reopened", sla.UpdateCadence)
}

func TestQueueFilters(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	a := f.open(t, "premium", 1, "endpoint")
	b := f.open(t, "standard", 2, "mail")
	c := f.open(t, "platinum", 2, "endpoint")
	d := f.open(t, "standard", 4, "endpoint")
	if _, err := f.svc.Assign(ctx, f.junior, b.ID, f.junior.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Assign(ctx, f.manager, c.ID, f.senior.ID); err != nil {
		t.Fatal(err)
	}
	// An incident of another office stays out of this office's queue.
	if _, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "tokyo office", Description: "down", Severity: sev(1)}, ""); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		actor accounts.User
		qf    tickets.QueueFilter
		want  []tickets.Incident
	}{
		{"all", f.junior, tickets.QueueFilter{}, []tickets.Incident{a, c, b, d}},
		{"mine", f.junior, tickets.QueueFilter{Mine: true}, []tickets.Incident{b}},
		{"mine senior", f.senior, tickets.QueueFilter{Mine: true}, []tickets.Incident{c}},
		{"mine, nothing", f.manager, tickets.QueueFilter{Mine: true}, nil},
		{"unassigned", f.junior, tickets.QueueFilter{Unassigned: true}, []tickets.Incident{a, d}},
		{"tier", f.junior, tickets.QueueFilter{Tier: "standard"}, []tickets.Incident{b, d}},
		{"severity", f.junior, tickets.QueueFilter{Severity: 2}, []tickets.Incident{c, b}},
		{"product", f.junior, tickets.QueueFilter{Product: "endpoint"}, []tickets.Incident{a, c, d}},
		{"combined", f.junior, tickets.QueueFilter{Product: "endpoint", Tier: "standard", Unassigned: true}, []tickets.Incident{d}},
		{"limit", f.junior, tickets.QueueFilter{Limit: 2}, []tickets.Incident{a, c}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameOrder(t, f.queue(t, tc.actor, tc.qf), tc.want...)
		})
	}
	// Without the office filter the other office's incident is there too.
	all, err := f.svc.Queue(ctx, f.junior, tickets.QueueFilter{Product: "endpoint", Severity: 1, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	offices := map[uuid.UUID]bool{}
	for _, it := range all {
		offices[it.OrganizationID] = true
	}
	if !offices[a.OrganizationID] || !offices[*f.memberA.OrganizationID] {
		t.Fatalf("unfiltered queue misses an office: %v", offices)
	}

	for _, tc := range []struct {
		qf    tickets.QueueFilter
		field string
	}{
		{tickets.QueueFilter{Mine: true, Unassigned: true}, "unassigned"},
		{tickets.QueueFilter{Tier: "gold"}, "tier"},
		{tickets.QueueFilter{Severity: 5}, "severity"},
		{tickets.QueueFilter{Limit: 201}, "limit"},
		{tickets.QueueFilter{Limit: -1}, "limit"},
	} {
		_, err := f.svc.Queue(ctx, f.junior, tc.qf)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Invalid || ae.Field != tc.field {
			t.Errorf("%+v: %v, want invalid_value on %s", tc.qf, err, tc.field)
		}
	}
}

func TestQueueIsForStaffWhoWork(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	f.open(t, "standard", 3, "p")
	exec := f.staff(t, "exec", accounts.Executive, false)
	for _, u := range []accounts.User{f.memberA, exec} {
		if _, err := f.svc.Queue(ctx, u, tickets.QueueFilter{Office: f.office}); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s reads the queue: %v", u.Role, err)
		}
	}
	for _, u := range []accounts.User{f.memberA, exec, f.admin} {
		if _, err := f.svc.Claim(ctx, u, tickets.QueueFilter{Office: f.office}); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s claims: %v", u.Role, err)
		}
	}
	if _, err := f.svc.Claim(ctx, f.senior, tickets.QueueFilter{Office: f.office, Mine: true}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("claim with mine: %v", err)
	}
}

// TestClaimFollowsQueueOrder: one claimer after another takes the queue from the top, and each
// claim is on the timeline.
func TestClaimFollowsQueueOrder(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	for i, tier := range []string{"standard", "premium", "platinum", "standard", "premium", "standard"} {
		inc := f.open(t, tier, 1+i%4, "p")
		if i%2 == 0 {
			f.timer(t, inc, sla.FirstResponse, time.Duration(10-i)*time.Minute, "pending")
		}
	}
	f.clock.Advance(time.Hour) // past the senior-first window
	want := ids(f.queue(t, f.senior, tickets.QueueFilter{}))
	for i, id := range want {
		claimer := []accounts.User{f.senior, f.junior, f.manager}[i%3]
		inc, err := f.svc.Claim(ctx, claimer, tickets.QueueFilter{Office: f.office})
		if err != nil {
			t.Fatal(err)
		}
		if inc.ID != id || inc.AssigneeID == nil || *inc.AssigneeID != claimer.ID || inc.Status != tickets.StatusNew {
			t.Fatalf("claim %d: got %s assigned to %v (%s), want %s for %s", i, inc.ID, inc.AssigneeID, inc.Status, id, claimer.Name)
		}
		evs, err := f.svc.Timeline(ctx, claimer, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Kind != "assigned" || last.Data["claimed"] != true || last.Data["assignee_id"] != claimer.ID.String() ||
			last.Data["channel"] != "phone" || last.Data["since_accepted"] != f.clock.Now().Truncate(time.Microsecond).Sub(inc.AcceptedAt).String() || last.ActorID == nil || *last.ActorID != claimer.ID ||
			!last.At.Equal(f.clock.Now().Truncate(time.Microsecond)) {
			t.Fatalf("claim event %+v", last)
		}
	}
	if _, err := f.svc.Claim(ctx, f.senior, tickets.QueueFilter{Office: f.office}); !apperr.Is(err, "queue_empty") || apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("empty queue: %v", err)
	}
	if n := len(f.queue(t, f.senior, tickets.QueueFilter{Unassigned: true})); n != 0 {
		t.Fatalf("%d unassigned left", n)
	}
}

// TestClaimSkipsLockedIncidents: a claim does not wait for an incident another transaction holds
// (a lifecycle step in progress, another claim); it takes the next one.
func TestClaimSkipsLockedIncidents(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	first := f.open(t, "premium", 1, "p")
	second := f.open(t, "premium", 2, "p")
	f.clock.Advance(time.Hour)
	tx := testenv.DB(t).Begin()
	defer tx.Rollback()
	if err := tx.Exec("SELECT 1 FROM incidents WHERE id = ? FOR UPDATE", first.ID).Error; err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := f.svc.Claim(cctx, f.junior, tickets.QueueFilter{Office: f.office})
	if err != nil || got.ID != second.ID {
		t.Fatalf("claim next to a locked incident: %v %v, want the second", got.ID, err)
	}
	if _, err := f.svc.Claim(cctx, f.junior, tickets.QueueFilter{Office: f.office}); !apperr.Is(err, "queue_empty") {
		t.Fatalf("only a locked incident left: %v", err)
	}
	tx.Rollback()
	if got, err = f.svc.Claim(ctx, f.junior, tickets.QueueFilter{Office: f.office}); err != nil || got.ID != first.ID {
		t.Fatalf("after the lock: %v %v, want the first", got.ID, err)
	}
}

// TestClaimOffersPriorityToSeniorsFirst: a premium incident goes to a senior engineer at once;
// an engineer who is not senior gets standard incidents until a premium one has waited longer
// than SeniorFirst.
func TestClaimOffersPriorityToSeniorsFirst(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	inOffice := tickets.QueueFilter{Office: f.office}
	prem := f.open(t, "premium", 3, "p")
	std := f.open(t, "standard", 3, "p")
	got, err := f.svc.Claim(ctx, f.junior, inOffice)
	if err != nil || got.ID != std.ID {
		t.Fatalf("junior got %v (%v), want the standard incident", got.ID, err)
	}
	_, err = f.svc.Claim(ctx, f.junior, inOffice)
	if !apperr.Is(err, "queue_empty") {
		t.Fatalf("junior claims a fresh premium incident: %v", err)
	}
	f.clock.Set(prem.AcceptedAt.Add(tickets.SeniorFirst)) // waited exactly the window: not longer
	if _, err := f.svc.Claim(ctx, f.junior, inOffice); !apperr.Is(err, "queue_empty") {
		t.Fatalf("junior claims at exactly %v: %v", tickets.SeniorFirst, err)
	}
	f.clock.Advance(time.Microsecond)
	if got, err = f.svc.Claim(ctx, f.junior, inOffice); err != nil || got.ID != prem.ID {
		t.Fatalf("junior after the window got %v (%v), want the premium incident", got.ID, err)
	}

	// Seniors and support managers take fresh priority incidents, before older standard ones.
	std2 := f.open(t, "standard", 1, "p")
	plat := f.open(t, "platinum", 4, "p")
	prem2 := f.open(t, "premium", 4, "p")
	if got, err = f.svc.Claim(ctx, f.senior, inOffice); err != nil || got.ID != plat.ID {
		t.Fatalf("senior got %v (%v), want the platinum incident", got.ID, err)
	}
	if got, err = f.svc.Claim(ctx, f.junior, inOffice); err != nil || got.ID != std2.ID {
		t.Fatalf("junior got %v (%v), want the standard incident", got.ID, err)
	}
	if got, err = f.svc.Claim(ctx, f.manager, inOffice); err != nil || got.ID != prem2.ID {
		t.Fatalf("manager got %v (%v), want the premium incident", got.ID, err)
	}
}

// TestClaimConcurrently: 32 engineers claim from a queue of 1,000 incidents until it is empty;
// every incident is claimed exactly once, by the engineer the claim returned it to.
func TestClaimConcurrently(t *testing.T) {
	const incidents, engineers = 1000, 32
	f := newQueueFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	now := f.clock.Now()
	// Mixed tiers and severities, all past the senior-first window, half with a pending deadline.
	if err := db.Exec(`
		WITH g AS (SELECT i, CASE i % 3 WHEN 0 THEN ?::uuid WHEN 1 THEN ?::uuid ELSE ?::uuid END AS org,
		                  CASE i % 3 WHEN 0 THEN 'standard' WHEN 1 THEN 'premium' ELSE 'platinum' END AS tier
		           FROM generate_series(1, ?::int) AS i),
		     inc AS (
		INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, scope, opened_by,
		                       accepted_at, created_at, updated_at, policy_version, next_due_at, next_target)
		SELECT gen_random_uuid(), 'CC-' || ? || '-' || i, org, 'p', 'concurrent ' || i, tier, 1 + i % 4, 'new', 'web', 'product', ?,
		       ?::timestamptz - interval '1 hour' + i * interval '1 second', ?, ?, 0,
		       CASE WHEN i % 2 = 0 THEN ?::timestamptz - interval '1 hour' + i * interval '1 second' + interval '4 hours' END,
		       CASE WHEN i % 2 = 0 THEN 'first_response' END FROM g
		RETURNING id, accepted_at, reference)
		INSERT INTO sla_timers (id, incident_id, target, level, due_at, state, created_at)
		SELECT gen_random_uuid(), id, 'first_response', 0, accepted_at + interval '4 hours', 'pending', accepted_at
		FROM inc WHERE right(reference, 1) IN ('0', '2', '4', '6', '8')`,
		f.orgs["standard"].ID, f.orgs["premium"].ID, f.orgs["platinum"].ID, incidents, f.office, f.admin.ID, now, now, now, now).Error; err != nil {
		t.Fatal(err)
	}
	users := make([]accounts.User, engineers)
	for i := range users {
		users[i] = f.staff(t, fmt.Sprintf("eng%d", i), accounts.Engineer, i%2 == 0)
	}

	var (
		mu      sync.Mutex
		claimed = map[uuid.UUID]int{}
		by      = map[uuid.UUID]uuid.UUID{}
		dupes   []string
		wg      sync.WaitGroup
	)
	start := time.Now()
	for _, u := range users {
		wg.Add(1)
		go func(u accounts.User) {
			defer wg.Done()
			for {
				inc, err := f.svc.Claim(ctx, u, tickets.QueueFilter{Office: f.office})
				if apperr.Is(err, "queue_empty") {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				claimed[inc.ID]++
				if claimed[inc.ID] > 1 {
					dupes = append(dupes, fmt.Sprintf("%s claimed by %s and %s", inc.Reference, by[inc.ID], u.ID))
				}
				by[inc.ID] = u.ID
				if inc.AssigneeID == nil || *inc.AssigneeID != u.ID {
					t.Errorf("claim by %s returned %s assigned to %v", u.ID, inc.Reference, inc.AssigneeID)
				}
				mu.Unlock()
			}
		}(u)
	}
	wg.Wait()
	t.Logf("%d claims by %d engineers in %v", len(claimed), engineers, time.Since(start))
	if len(dupes) > 0 {
		t.Fatalf("%d incidents claimed twice, e.g. %s", len(dupes), dupes[0])
	}
	if len(claimed) != incidents {
		t.Fatalf("%d incidents claimed, want %d", len(claimed), incidents)
	}
	// The database agrees: each incident has exactly one assigned event, naming its assignee.
	var rows []struct {
		ID         uuid.UUID
		AssigneeID *uuid.UUID
		Events     int
		Named      *string
	}
	if err := db.Raw(`SELECT i.id, i.assignee_id, count(e.id) AS events, min(e.data->>'assignee_id') AS named
		FROM incidents i JOIN organizations o ON o.id = i.organization_id
		LEFT JOIN incident_events e ON e.incident_id = i.id AND e.kind = 'assigned'
		WHERE o.office = ? GROUP BY i.id, i.assignee_id`, f.office).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != incidents {
		t.Fatalf("%d incidents in the office", len(rows))
	}
	for _, r := range rows {
		if r.AssigneeID == nil || *r.AssigneeID != by[r.ID] || r.Events != 1 || r.Named == nil || *r.Named != by[r.ID].String() {
			t.Fatalf("incident %s: assignee %v, %d assigned events; claim returned it to %s", r.ID, r.AssigneeID, r.Events, by[r.ID])
		}
	}
}

// The office filter asks accounts for the office's organisations; an office with none shows an
// empty queue and has nothing to claim, while the fixture's office still has its incidents.
func TestQueueOfficeWithoutOrganisations(t *testing.T) {
	ctx := context.Background()
	f := newQueueFixture(t)
	f.open(t, "standard", 3, "endpoint")
	nowhere := "nowhere-" + uuid.NewString()
	items, err := f.svc.Queue(ctx, f.senior, tickets.QueueFilter{Office: nowhere})
	if err != nil || len(items) != 0 {
		t.Fatalf("queue of an office without organisations: %d items, %v", len(items), err)
	}
	if _, err := f.svc.Claim(ctx, f.senior, tickets.QueueFilter{Office: nowhere}); err == nil {
		t.Fatal("claimed from an office without organisations")
	}
	items, err = f.svc.Queue(ctx, f.senior, tickets.QueueFilter{Office: f.office})
	if err != nil || len(items) != 1 {
		t.Fatalf("queue of the fixture's office: %d items, %v", len(items), err)
	}
}

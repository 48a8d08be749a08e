package tickets_test

import (
	"context"
	"github.com/supportd/supportd/tickets/ticketstest"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

type warnKit struct {
	f      fixture
	db     *gorm.DB
	svc    *tickets.Service
	senior accounts.User
}

func newWarnKit(t *testing.T) warnKit {
	f := newFixture(t)
	db := testenv.DB(t)
	senior, err := f.acc.CreateUser(context.Background(), f.admin, accounts.NewUser{Email: "senior-" + uuid.NewString()[:8] + "@x.example", Name: "s",
		Role: accounts.Engineer, Senior: true, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock),
		Escalator: escalation.NewLadder(f.acc, escalation.NewOutbox(f.acc, nil)), Users: f.acc, Clock: f.clock})
	return warnKit{f: f, db: db, svc: svc, senior: senior}
}

type warnTimer struct {
	ID      uuid.UUID
	Target  string
	Warning int
	DueAt   time.Time
}

// pendingWarnings returns the incident's pending warning timers, soonest first.
func (k warnKit) pendingWarnings(t *testing.T, id uuid.UUID) []warnTimer {
	t.Helper()
	var out []warnTimer
	if err := k.db.Raw("SELECT id, target, warning, due_at FROM sla_timers WHERE incident_id = ? AND state = 'pending' AND warning > 0 ORDER BY due_at", id).
		Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// warningEntries counts the incident's sla_warning timeline entries as the reader sees them.
func (k warnKit) warningEntries(t *testing.T, reader accounts.User, id uuid.UUID) int {
	t.Helper()
	events, err := k.svc.Timeline(context.Background(), reader, id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == tickets.KindSLAWarning {
			n++
		}
	}
	return n
}

// TestWarningFiresOnceToThoseWhoMayClaim: premium severity 1 (first response 1 h) gets a
// warning timer at 45 min; delivered twice in one batch and once more later it is told once,
// on the staff timeline only, to the engineers who may claim the unassigned incident, the senior
// one first among them, and the queue still orders by the deadline, not the warning.
func TestWarningFiresOnceToThoseWhoMayClaim(t *testing.T) {
	k := newWarnKit(t)
	ctx := context.Background()
	inc, _, err := k.svc.Open(ctx, k.f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: sev(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	ws := k.pendingWarnings(t, inc.ID)
	if len(ws) != 1 || ws[0].Target != "first_response" || ws[0].Warning != 750 || !ws[0].DueAt.Equal(inc.AcceptedAt.Add(45*time.Minute)) {
		t.Fatalf("warning timers at intake: %+v (accepted %v)", ws, inc.AcceptedAt)
	}
	var next time.Time
	k.db.Raw("SELECT next_due_at FROM incidents WHERE id = ?", inc.ID).Scan(&next)
	if !next.Equal(inc.AcceptedAt.Add(time.Hour)) {
		t.Fatalf("queue's next deadline %v, want the first response at %v", next, inc.AcceptedAt.Add(time.Hour))
	}
	if out, err := k.svc.FireTimers(ctx, []uuid.UUID{ws[0].ID}); err != nil || out[0].Outcome != tickets.OutcomeEarly {
		t.Fatalf("before its point: %+v %v", out, err)
	}
	k.f.clock.Advance(45 * time.Minute)
	out, err := k.svc.FireTimers(ctx, []uuid.UUID{ws[0].ID, ws[0].ID})
	if err != nil || out[0].Outcome != tickets.OutcomeWarned || out[1].Outcome != tickets.OutcomeStale {
		t.Fatalf("delivered twice: %+v %v", out, err)
	}
	k.f.clock.Advance(time.Second)
	if out, err := k.svc.FireTimers(ctx, []uuid.UUID{ws[0].ID}); err != nil || out[0].Outcome != tickets.OutcomeStale {
		t.Fatalf("redelivered: %+v %v", out, err)
	}
	if n := k.warningEntries(t, k.f.engineer, inc.ID); n != 1 {
		t.Fatalf("%d sla_warning entries for staff, want 1", n)
	}
	if n := k.warningEntries(t, k.f.memberA, inc.ID); n != 0 {
		t.Fatalf("the customer reads %d warning entries", n)
	}
	var notes []struct {
		RecipientID uuid.UUID
		Subject     string
	}
	k.db.Raw("SELECT recipient_id, subject FROM notifications WHERE incident_id = ? AND kind = 'sla_warning' AND channel = 'inbox'", inc.ID).Scan(&notes)
	got := map[uuid.UUID]string{}
	for _, n := range notes {
		got[n.RecipientID] = n.Subject
	}
	want := "[" + inc.Reference + "] first response due in 15 min"
	// Every engineer of the office may claim it by now (other tests' engineers share the office).
	if got[k.senior.ID] != want || got[k.f.engineer.ID] != want {
		t.Fatalf("warning notes %+v, want %q to the senior and the other engineer", notes, want)
	}
	for id := range got {
		if u, err := k.f.acc.FindUserByID(ctx, id); err != nil || u.Role != accounts.Engineer {
			t.Fatalf("warning told to %+v (%v), not an engineer", u, err)
		}
	}
	if ws := k.pendingWarnings(t, inc.ID); len(ws) != 0 {
		t.Fatalf("warning timers left: %+v", ws)
	}
}

// TestWarningCancelledByAcknowledgement: acknowledging meets the first response, so its warning
// is cancelled and a late delivery of it tells nobody; the cadence's warning is planned instead.
func TestWarningCancelledByAcknowledgement(t *testing.T) {
	k := newWarnKit(t)
	ctx := context.Background()
	inc, _, err := k.svc.Open(ctx, k.f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: sev(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	first := k.pendingWarnings(t, inc.ID)[0]
	k.f.clock.Advance(10 * time.Minute)
	if _, err := k.svc.Assign(ctx, k.f.engineer, inc.ID, k.f.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.Acknowledge(ctx, k.f.engineer, inc.ID, "on it"); err != nil {
		t.Fatal(err)
	}
	acked := k.f.clock.Now().Truncate(time.Microsecond)
	var st struct{ State, Outcome string }
	k.db.Raw("SELECT state, outcome FROM sla_timers WHERE id = ?", first.ID).Scan(&st)
	if st.State != "cancelled" || st.Outcome != "met" {
		t.Fatalf("first-response warning after the acknowledgement: %+v", st)
	}
	ws := k.pendingWarnings(t, inc.ID)
	if len(ws) != 1 || ws[0].Target != "update_cadence" || !ws[0].DueAt.Equal(acked.Add(90*time.Minute)) {
		t.Fatalf("warnings after the acknowledgement: %+v (acked %v; cadence 2 h)", ws, acked)
	}
	k.f.clock.Advance(40 * time.Minute)
	if out, err := k.svc.FireTimers(ctx, []uuid.UUID{first.ID}); err != nil || out[0].Outcome != tickets.OutcomeStale {
		t.Fatalf("late delivery of the cancelled warning: %+v %v", out, err)
	}
	if n := k.warningEntries(t, k.f.engineer, inc.ID); n != 0 {
		t.Fatalf("%d warnings told for a met target", n)
	}
}

// TestWarningMovedByPauseResumeAndSeverity: waiting on the customer cancels the cadence's
// warning, the reply plans it again with the time that was left, it is told to the assignee
// alone, and a severity change plans the new cadence's warning.
func TestWarningMovedByPauseResumeAndSeverity(t *testing.T) {
	k := newWarnKit(t)
	ctx := context.Background()
	inc, _, err := k.svc.Open(ctx, k.f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: sev(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.Assign(ctx, k.f.engineer, inc.ID, k.f.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.Acknowledge(ctx, k.f.engineer, inc.ID, "on it"); err != nil {
		t.Fatal(err)
	}
	k.f.clock.Advance(30 * time.Minute) // 30 of the cadence's 120 min used
	if _, err := k.svc.Wait(ctx, k.f.engineer, inc.ID, "send the logs"); err != nil {
		t.Fatal(err)
	}
	if ws := k.pendingWarnings(t, inc.ID); len(ws) != 0 {
		t.Fatalf("warnings while waiting: %+v", ws)
	}
	k.f.clock.Advance(time.Hour)
	if _, err := k.svc.PostUpdate(ctx, k.f.memberA, inc.ID, "logs attached", true); err != nil {
		t.Fatal(err)
	}
	resumed := k.f.clock.Now().Truncate(time.Microsecond)
	ws := k.pendingWarnings(t, inc.ID)
	if len(ws) != 1 || ws[0].Target != "update_cadence" || !ws[0].DueAt.Equal(resumed.Add(time.Hour)) {
		t.Fatalf("warnings after the reply: %+v, want the cadence's at %v (90 min left, warned with 30 left)", ws, resumed.Add(time.Hour))
	}
	k.f.clock.Advance(time.Hour)
	if out, err := k.svc.FireTimers(ctx, []uuid.UUID{ws[0].ID}); err != nil || out[0].Outcome != tickets.OutcomeWarned {
		t.Fatalf("cadence warning: %+v %v", out, err)
	}
	var to []uuid.UUID
	k.db.Raw("SELECT recipient_id FROM notifications WHERE incident_id = ? AND kind = 'sla_warning' AND channel = 'inbox'", inc.ID).Scan(&to)
	if len(to) != 1 || to[0] != k.f.engineer.ID {
		t.Fatalf("assigned incident's warning went to %v, want the assignee %v only", to, k.f.engineer.ID)
	}
	if _, err := k.svc.Patch(ctx, k.f.engineer, inc.ID, sev(2), nil, "limited operation possible"); err != nil {
		t.Fatal(err)
	}
	changed := k.f.clock.Now().Truncate(time.Microsecond)
	ws = k.pendingWarnings(t, inc.ID)
	sort.Slice(ws, func(i, j int) bool { return ws[i].Target < ws[j].Target })
	if len(ws) != 1 || ws[0].Target != "update_cadence" || !ws[0].DueAt.Equal(changed.Add(18*time.Hour)) {
		t.Fatalf("warnings after severity 2: %+v, want the daily cadence's at %v", ws, changed.Add(18*time.Hour))
	}
}

// TestDueWithinListsIncidentsAtRisk: the queue and the incident list keep the open incidents
// whose next pending deadline falls within the window (overdue ones included), and refuse a
// window that is not positive or longer than any target.
func TestDueWithinListsIncidentsAtRisk(t *testing.T) {
	k := newWarnKit(t)
	ctx := context.Background()
	// An office of its own: the lists plan every incident they return, and other tests' lie
	// in the shared office.
	office := "risk-" + uuid.NewString()[:8]
	org, err := k.f.acc.CreateOrganization(ctx, k.f.admin, accounts.NewOrganization{Name: "Risk " + office, Office: office, Tier: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := k.f.acc.CreateUser(ctx, k.f.admin, accounts.NewUser{Email: office + "@x.example", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	open := func(s int) tickets.Incident {
		inc, _, err := k.svc.Open(ctx, member, tickets.NewIncident{Product: "endpoint", Title: "risk", Description: "d", Severity: sev(s)}, "")
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	soon := open(1)  // premium severity 1: first response in 1 h
	later := open(3) // premium severity 3: first response in 24 h
	resolved := open(1)
	if _, err := k.svc.Resolve(ctx, k.f.engineer, resolved.ID, "done"); err != nil {
		t.Fatal(err)
	}
	ids := func(incs []tickets.Incident) map[uuid.UUID]bool {
		out := map[uuid.UUID]bool{}
		for _, i := range incs {
			out[i.ID] = true
		}
		return out
	}
	queued := func(d time.Duration) map[uuid.UUID]bool {
		items, err := k.svc.Queue(ctx, k.f.engineer, tickets.QueueFilter{DueWithin: d, Office: office, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var incs []tickets.Incident
		for _, it := range items {
			incs = append(incs, it.Incident)
		}
		return ids(incs)
	}
	listed := func(d time.Duration) map[uuid.UUID]bool {
		p, err := k.svc.List(ctx, k.f.engineer, tickets.Filter{DueWithin: d, OrganizationID: &org.ID, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		return ids(p.Items)
	}
	for name, got := range map[string]func(time.Duration) map[uuid.UUID]bool{"queue": queued, "list": listed} {
		two := got(2 * time.Hour)
		if !two[soon.ID] || two[later.ID] || two[resolved.ID] {
			t.Errorf("%s due_within 2h: soon %v, later %v, resolved %v; want only the one due in 1 h", name, two[soon.ID], two[later.ID], two[resolved.ID])
		}
		if day := got(25 * time.Hour); !day[soon.ID] || !day[later.ID] {
			t.Errorf("%s due_within 25h misses one", name)
		}
	}
	k.f.clock.Advance(90 * time.Minute) // the first response is overdue (its timer not yet fired): still at risk
	if !queued(time.Minute)[soon.ID] || !listed(time.Minute)[soon.ID] {
		t.Error("an overdue deadline is not at risk")
	}
	for _, d := range []time.Duration{-time.Second, 367 * 24 * time.Hour} {
		if _, err := k.svc.Queue(ctx, k.f.engineer, tickets.QueueFilter{DueWithin: d}); !apperr.Is(err, "invalid_value") {
			t.Errorf("queue due_within %v: %v, want invalid_value", d, err)
		}
		if _, err := k.svc.List(ctx, k.f.engineer, tickets.Filter{DueWithin: d}); !apperr.Is(err, "invalid_value") {
			t.Errorf("list due_within %v: %v, want invalid_value", d, err)
		}
	}
}

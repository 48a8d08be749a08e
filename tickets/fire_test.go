package tickets_test

import (
	"context"
	"github.com/supportd/supportd/tickets/ticketstest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// TestFireTimersDecidesABatch: one FireTimers call over the due timers of several incidents
// (two of one incident, a repeated delivery, an early one and an unknown one) records each
// breach and escalation once, answers every timer in order, keeps each incident's nearest
// deadline for the queue, and tells the office's support manager once per escalation.
func TestFireTimersDecidesABatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	mgr, err := f.acc.CreateUser(ctx, f.admin, accounts.NewUser{Email: "mgr-batch@x.example", Name: "m", Role: accounts.SupportManager, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Escalator: escalation.NewLadder(f.acc, escalation.NewOutbox(f.acc, nil)), Users: f.acc, Clock: f.clock})
	open := func() tickets.Incident {
		inc, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: sev(1)}, "")
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	timer := func(inc tickets.Incident, target string) uuid.UUID {
		var ids []uuid.UUID
		if err := db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND target = ? AND state = 'pending' AND warning = 0", inc.ID, target).Scan(&ids).Error; err != nil || len(ids) != 1 {
			t.Fatalf("%s timer of %s: %v %v", target, inc.Reference, ids, err)
		}
		return ids[0]
	}
	// Premium severity 1: first response 1 h, support manager 2 h.
	a, b, c := open(), open(), open()
	f.clock.Advance(2*time.Hour + time.Second)
	early := open()
	ids := []uuid.UUID{
		timer(a, "first_response"), timer(a, "support_manager"), // two of one incident
		timer(b, "support_manager"), timer(b, "support_manager"), // a repeated delivery
		timer(c, "first_response"),
		timer(early, "first_response"),
		uuid.New(),
	}
	want := []tickets.Outcome{tickets.OutcomeBreached, tickets.OutcomeEscalated, tickets.OutcomeEscalated, tickets.OutcomeStale,
		tickets.OutcomeBreached, tickets.OutcomeEarly, ""}
	out, err := svc.FireTimers(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.Outcome != want[i] {
			t.Errorf("timer %d: %s, want %s", i, o.Outcome, want[i])
		}
	}
	if apperr.KindOf(out[6].Err) != apperr.NotFound {
		t.Errorf("unknown timer: %v, want not_found", out[6].Err)
	}

	// Each fact once; c's support-manager timer was not delivered and still waits.
	count := func(q string, args ...any) int64 {
		var n int64
		if err := db.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, inc := range []tickets.Incident{a, b} {
		if n := count("SELECT count(*) FROM incident_events WHERE incident_id = ? AND kind = 'escalated'", inc.ID); n != 1 {
			t.Errorf("%s: %d escalations", inc.Reference, n)
		}
		if n := count("SELECT count(*) FROM escalations WHERE incident_id = ? AND recipient_id = ?", inc.ID, mgr.ID); n != 1 {
			t.Errorf("%s: %d escalation rows for the manager", inc.Reference, n)
		}
		if n := count("SELECT count(*) FROM notifications WHERE incident_id = ? AND recipient_id = ? AND kind = 'escalation'", inc.ID, mgr.ID); n != 1 {
			t.Errorf("%s: %d escalation notes to the manager", inc.Reference, n)
		}
	}
	if n := count("SELECT count(*) FROM incident_events WHERE incident_id IN ? AND kind = 'sla_breached'", []uuid.UUID{a.ID, c.ID}); n != 2 {
		t.Errorf("%d breaches recorded, want 2", n)
	}
	for _, inc := range []tickets.Incident{a, b, c} {
		got, err := svc.Get(ctx, f.admin, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantLevel := map[uuid.UUID]int{a.ID: 1, b.ID: 1, c.ID: 0}[inc.ID]
		if got.EscalationLevel != wantLevel {
			t.Errorf("%s: level %d, want %d", inc.Reference, got.EscalationLevel, wantLevel)
		}
	}
	// The queue's nearest deadline: none left for a and b (b's first response also passed, undelivered: still pending).
	var rows []struct {
		ID         uuid.UUID
		NextDueAt  *time.Time
		NextTarget *string
		Want       *time.Time
	}
	if err := db.Raw(`SELECT i.id, i.next_due_at, i.next_target,
			(SELECT min(t.due_at) FROM sla_timers t WHERE t.incident_id = i.id AND t.state = 'pending' AND t.warning = 0) AS want
		FROM incidents i WHERE i.id IN ?`, []uuid.UUID{a.ID, b.ID, c.ID, early.ID}).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		same := (r.NextDueAt == nil && r.Want == nil) || (r.NextDueAt != nil && r.Want != nil && r.NextDueAt.Equal(*r.Want))
		if !same {
			t.Errorf("incident %s: next_due_at %v, nearest pending timer %v", r.ID, r.NextDueAt, r.Want)
		}
	}

	// The same deliveries again change nothing.
	again, err := svc.FireTimers(ctx, ids[:5])
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range again {
		if o.Outcome != tickets.OutcomeStale {
			t.Errorf("redelivered timer %d: %s, want stale", i, o.Outcome)
		}
	}
	if n := count("SELECT count(*) FROM escalations WHERE incident_id IN ?", []uuid.UUID{a.ID, b.ID}); n != 2 {
		t.Errorf("%d escalation rows after redelivery, want 2", n)
	}
}

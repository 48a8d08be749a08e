package tickets_test

import (
	"context"
	"github.com/supportd/supportd/tickets/ticketstest"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// TestReclassificationAfterThirtyDays: before 30 days a request waits for a manager; at 30 days
// unresolved it is granted at once and the incident re-planned at severity 2.
func TestReclassificationAfterThirtyDays(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Users: f.acc, Clock: f.clock})
	early, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "slow", Description: "d", Severity: sev(3)}, "")
	if err != nil {
		t.Fatal(err)
	}
	late, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "slower", Description: "d", Severity: sev(3)}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(29 * 24 * time.Hour)
	req, inc, err := svc.RequestReclassification(ctx, f.memberA, early.ID, "still broken")
	if err != nil || req.State != "pending" || inc.Severity != 3 {
		t.Fatalf("day 29: %+v severity %d %v", req, inc.Severity, err)
	}
	f.clock.Advance(24 * time.Hour)
	req, inc, err = svc.RequestReclassification(ctx, f.memberA, late.ID, "still broken")
	if err != nil || req.State != "approved" || inc.Severity != 2 {
		t.Fatalf("day 30: %+v severity %d %v", req, inc.Severity, err)
	}
	// The change is on the timeline with its reason; targets already breached keep their record.
	evs, err := svc.Timeline(ctx, f.memberA, late.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		if e.Kind == "severity_changed" && e.Data["reason"] == "granted automatically: unresolved for 30 days" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no automatic severity change on the timeline: %+v", evs)
	}
	if _, _, err := svc.RequestReclassification(ctx, f.memberB, early.ID, "x"); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("another organisation's customer: %v", err)
	}
}

// NextEscalation tells, without changing anything, what a request would get now: the same rule
// as RequestEscalation, with the time a premium severity 2 becomes requestable.
func TestNextEscalationTellsWhenAvailable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Users: f.acc, Clock: f.clock})
	prem, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "major", Description: "d", Severity: sev(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	std, _, err := svc.Open(ctx, f.memberB, tickets.NewIncident{Product: "p", Title: "major", Description: "d", Severity: sev(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	opt, err := svc.NextEscalation(ctx, f.memberA, prem.ID)
	if err != nil || opt.Available || opt.Level != 1 || !apperr.Is(opt.Refusal, "escalation_not_available") ||
		!opt.From.Equal(prem.AcceptedAt.Add(72*time.Hour)) {
		t.Fatalf("premium sev 2 on day one: %+v %v", opt, err)
	}
	if _, err := svc.RequestEscalation(ctx, f.memberA, prem.ID, 0, "now"); !apperr.Is(err, "escalation_not_available") {
		t.Fatalf("the request disagrees with the option: %v", err)
	}
	if opt, err := svc.NextEscalation(ctx, f.memberB, std.ID); err != nil || !opt.Available {
		t.Fatalf("standard sev 2 is on request: %+v %v", opt, err)
	}
	if _, err := svc.NextEscalation(ctx, f.memberB, prem.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("another organisation's incident: %v", err)
	}
	f.clock.Advance(72 * time.Hour)
	if opt, err := svc.NextEscalation(ctx, f.memberA, prem.ID); err != nil || !opt.Available {
		t.Fatalf("after 72 h: %+v %v", opt, err)
	}
	if _, err := svc.RequestEscalation(ctx, f.memberA, prem.ID, 0, "still down"); err != nil {
		t.Fatalf("formal request after 72 h: %v", err)
	}
	opt, err = svc.NextEscalation(ctx, f.memberA, prem.ID)
	if err != nil || opt.Available || opt.Level != 2 || !opt.From.IsZero() || !apperr.Is(opt.Refusal, "escalation_not_available") {
		t.Fatalf("premium has no executive level on request: %+v %v", opt, err)
	}
}

package tickets_test

import (
	"context"
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
	svc := tickets.NewService(tickets.NewStore(db), tickets.OrganizationTier{Orgs: f.acc}, catalog.New(db, f.clock), f.clock)
	svc.UseUsers(f.acc)
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

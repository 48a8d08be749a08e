package tickets_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

// contractEntitler stands for the entitlement check with one real contract row.
type contractEntitler struct{ id uuid.UUID }

func (c contractEntitler) Entitle(ctx context.Context, req tickets.EntitlementRequest) (tickets.Entitlement, error) {
	id := c.id
	return tickets.Entitlement{Tier: "premium", EntitlementID: &id}, nil
}

// TestMissedFirstResponseCreditsOnce: one breach delivered several times at once yields one
// ledger entry, and the first response given late settles it with its lateness.
func TestMissedFirstResponseCreditsOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	start := f.clock.Now()
	ents := entitlement.NewService(entitlement.NewStore(db), f.acc, f.clock)
	ent, err := ents.Create(ctx, f.admin, *f.memberA.OrganizationID, entitlement.Entitlement{Product: "endpoint", Tier: "premium",
		LicenseType: entitlement.Subscription, StartsAt: start.AddDate(0, -1, 0), EndsAt: start.AddDate(1, 0, 0),
		CreditRates: map[int]float64{1: 12.5, 2: 5}})
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(catalog.NewStore(db), f.clock)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: contractEntitler{id: ent.ID}, Planner: cat, Credits: entitlement.NewLedger(db), Users: f.acc, Clock: f.clock})
	inc, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: sev(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := db.Raw("SELECT id::text FROM sla_timers WHERE incident_id = ? AND target = 'first_response' AND state = 'pending' AND warning = 0", inc.ID).Scan(&ids).Error; err != nil || len(ids) != 1 {
		t.Fatalf("no first-response timer: %v", err)
	}
	timerID := uuid.MustParse(ids[0])
	p, _ := cat.CurrentPolicy(ctx, sla.Premium)
	cell, _ := p.Cell(1, sla.FirstResponse)
	f.clock.Set(inc.AcceptedAt.Add(cell.Duration + time.Second))

	var wg sync.WaitGroup
	outcomes := make(chan tickets.Outcome, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := svc.FireTimers(ctx, []uuid.UUID{timerID})
			if err == nil {
				err = out[0].Err
			}
			if err != nil {
				t.Error(err)
				return
			}
			outcomes <- out[0].Outcome
		}()
	}
	wg.Wait()
	close(outcomes)
	breached := 0
	for o := range outcomes {
		if o == tickets.OutcomeBreached {
			breached++
		}
	}
	if breached != 1 {
		t.Fatalf("%d deliveries recorded the breach, want 1", breached)
	}
	credits, _, total, err := svc.Credits(ctx, f.admin, inc.OrganizationID, start.Add(-time.Hour), start.Add(48*time.Hour), page.Request{})
	if err != nil || len(credits) != 1 || total != 12.5 || credits[0].MetAt != nil {
		t.Fatalf("credits %+v total %v err %v", credits, total, err)
	}

	// The late first response settles the entry.
	f.clock.Advance(30 * time.Minute)
	if _, err := svc.Assign(ctx, f.admin, inc.ID, f.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Acknowledge(ctx, f.engineer, inc.ID, "sorry for the wait"); err != nil {
		t.Fatal(err)
	}
	credits, _, _, _ = svc.Credits(ctx, f.admin, inc.OrganizationID, start.Add(-time.Hour), start.Add(48*time.Hour), page.Request{})
	if len(credits) != 1 || credits[0].MetAt == nil || credits[0].LatenessSeconds == nil || *credits[0].LatenessSeconds < 1800 {
		t.Fatalf("settled credit %+v", credits)
	}
	if _, _, _, err := svc.Credits(ctx, f.memberA, inc.OrganizationID, start, start.Add(time.Hour), page.Request{}); err == nil {
		t.Fatal("a member read the credit ledger")
	}
}

// TestCreditsOfABatch: the missed first responses of one firing batch get their ledger entries
// in the batch, each at its contract's rate for the severity; a severity without a rate gets none.
func TestCreditsOfABatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	start := f.clock.Now()
	ents := entitlement.NewService(entitlement.NewStore(db), f.acc, f.clock)
	ent, err := ents.Create(ctx, f.admin, *f.memberA.OrganizationID, entitlement.Entitlement{Product: "endpoint", Tier: "premium",
		LicenseType: entitlement.Subscription, StartsAt: start.AddDate(0, -1, 0), EndsAt: start.AddDate(1, 0, 0),
		CreditRates: map[int]float64{1: 12.5, 2: 5}})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: contractEntitler{id: ent.ID}, Planner: catalog.New(catalog.NewStore(db), f.clock), Credits: entitlement.NewLedger(db), Users: f.acc, Clock: f.clock})
	var timers []uuid.UUID
	for _, s := range []int{1, 1, 2, 3} {
		inc, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: sev(s)}, "")
		if err != nil {
			t.Fatal(err)
		}
		timers = append(timers, pendingTimer(t, db, inc, "first_response"))
	}
	f.clock.Advance(25 * time.Hour) // premium first responses: 1 h, 2 h, 24 h
	out, err := svc.FireTimers(ctx, timers)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.Err != nil || o.Outcome != tickets.OutcomeBreached {
			t.Fatalf("timer %d: %+v", i, o)
		}
	}
	credits, _, total, err := svc.Credits(ctx, f.admin, *f.memberA.OrganizationID, start.Add(-time.Hour), start.Add(48*time.Hour), page.Request{})
	if err != nil || len(credits) != 3 || total != 30 {
		t.Fatalf("credits %+v total %v err %v, want 12.5 + 12.5 + 5", credits, total, err)
	}
}

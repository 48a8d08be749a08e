package workers

import (
	"context"
	"fmt"
	"github.com/supportd/supportd/tickets/ticketstest"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// TestFirerBatchesConcurrentDeliveries: deliveries handed to the firer at once are decided in
// shared transactions, each timer exactly once, and a timer that cannot be decided (its policy
// version is gone) fails alone while the others of its batch fire.
func TestFirerBatchesConcurrentDeliveries(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	c := clock.NewFake(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "reminder-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	stamp := uuid.NewString()[:8]
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "firer " + stamp, Office: "firer-" + stamp, Tier: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: "firer-" + stamp + "@x.example", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	store := tickets.NewStore(db)
	svc := tickets.NewService(tickets.Deps{Log: slog.New(slog.DiscardHandler), Store: store, Entitler: ticketstest.OrgTier{Orgs: acc}, Planner: catalog.New(catalog.NewStore(db), c), Users: acc, Clock: c})
	const n = 40
	var timers []uuid.UUID
	for i := 0; i < n; i++ {
		inc, _, err := svc.Open(ctx, member, tickets.NewIncident{Product: "p", Title: fmt.Sprint("t", i), Description: "d"}, "")
		if err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		if err := db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND target = 'first_response' AND warning = 0", inc.ID).Scan(&ids).Error; err != nil || len(ids) != 1 {
			t.Fatal(ids, err)
		}
		timers = append(timers, ids[0])
	}
	poisoned := timers[n/2]
	if err := db.Exec("UPDATE incidents SET policy_version = 999999 WHERE id = (SELECT incident_id FROM sla_timers WHERE id = ?)", poisoned).Error; err != nil {
		t.Fatal(err)
	}
	c.Advance(25 * time.Hour) // premium severity 3: first response 24 h

	f := newFirer(Deps{Incidents: svc, Timers: store, Clock: c, Log: slog.New(slog.DiscardHandler)})
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	for i := 0; i < fireLoops; i++ {
		go f.run(fctx)
	}
	var wg sync.WaitGroup
	outcomes := make([]tickets.Outcome, 2*n)
	errs := make([]error, 2*n)
	for i := 0; i < 2*n; i++ { // every timer delivered twice, concurrently
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			fired, err := f.fire(ctx, timers[i%n], true)
			outcomes[i], errs[i] = fired.Outcome, err
		}(i)
	}
	wg.Wait()
	breached := map[uuid.UUID]int{}
	for i := 0; i < 2*n; i++ {
		id := timers[i%n]
		if id == poisoned {
			if errs[i] == nil && outcomes[i] != tickets.OutcomeStale {
				t.Errorf("the timer without a policy: %s, want an error", outcomes[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("timer %d: %v", i%n, errs[i])
		}
		if outcomes[i] == tickets.OutcomeBreached {
			breached[id]++
		}
	}
	for i, id := range timers {
		if id != poisoned && breached[id] != 1 {
			t.Errorf("timer %d breached %d times, want once", i, breached[id])
		}
	}
	var pending int64
	db.Raw("SELECT count(*) FROM sla_timers WHERE id = ? AND state = 'pending'", poisoned).Scan(&pending)
	if pending != 1 {
		t.Error("the timer that could not be decided is no longer pending")
	}
}

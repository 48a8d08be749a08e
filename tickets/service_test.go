package tickets_test

import (
	"context"
	"fmt"
	"github.com/supportd/supportd/tickets/ticketstest"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type fixture struct {
	svc      *tickets.Service
	acc      *accounts.Store
	clock    *clock.Fake
	admin    accounts.User
	memberA  accounts.User
	memberB  accounts.User
	engineer accounts.User
}

var seq int

func newFixture(t *testing.T) fixture {
	t.Helper()
	return newFixtureOn(t, testenv.DB(t))
}

// newFixtureOn is newFixture on a database of the caller's (a fresh one, for a test that edits
// what every test of the package shares, such as a calendar).
func newFixtureOn(t *testing.T, db *gorm.DB) fixture {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFake(time.Date(2026, 11, 20, 7, 0, 0, 123456789, time.UTC))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "fixture-admin-token-xxxxxxxx")
	if err != nil {
		t.Fatal(err)
	}
	seq++
	mkOrg := func(name, tier string) accounts.Organization {
		o, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: fmt.Sprintf("%s %s %d", name, t.Name(), seq), Office: "tokyo", Tier: tier})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	a, b := mkOrg("A", "premium"), mkOrg("B", "standard")
	mkUser := func(email string, role accounts.Role, org *uuid.UUID) accounts.User {
		u, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d@x.example", email, seq), Name: email, Role: role, OrganizationID: org, Office: "tokyo"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f := fixture{acc: acc, clock: c, admin: admin,
		memberA: mkUser("a", accounts.Member, &a.ID), memberB: mkUser("b", accounts.Member, &b.ID),
		engineer: mkUser("e", accounts.Engineer, nil)}
	f.svc = tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: acc}, Users: acc, Clock: c})
	return f
}

func sev(n int) *int { return &n }

func TestOpenStampsTierAndKeepsTimeline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inc, replayed, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "all", Severity: sev(1)}, "")
	if err != nil || replayed {
		t.Fatal(err, replayed)
	}
	if inc.Tier != "premium" || inc.Severity != 1 || inc.Status != tickets.StatusNew || inc.Channel != tickets.ChannelWeb {
		t.Fatalf("%+v", inc)
	}
	if !inc.AcceptedAt.Equal(time.Date(2026, 11, 20, 7, 0, 0, 123456000, time.UTC)) {
		t.Fatalf("accepted at %v, want the injected clock truncated to µs", inc.AcceptedAt)
	}
	got, err := f.svc.Get(ctx, f.memberA, inc.ID)
	if err != nil || !reflect.DeepEqual(got, inc) {
		t.Fatalf("read back differs:\n%+v\n%+v (%v)", got, inc, err)
	}
	evs, err := f.svc.Timeline(ctx, f.memberA, inc.ID)
	if err != nil || len(evs) != 1 || evs[0].Kind != "opened" || evs[0].Data["tier"] != "premium" {
		t.Fatalf("timeline %+v %v", evs, err)
	}
}

func TestReferencesAreUnique(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	refs := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "t"}, "")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			refs[inc.Reference] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(refs) != 20 {
		t.Fatalf("%d distinct references for 20 incidents", len(refs))
	}
}

func TestCustomersSeeOnlyTheirOrganisation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "t"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, f.memberB, inc.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("B reads A's incident: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.engineer, inc.ID); err != nil {
		t.Fatalf("engineer: %v", err)
	}
	page, err := f.svc.List(ctx, f.memberB, tickets.Filter{OrganizationID: &inc.OrganizationID})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("B lists A's incidents: %d %v", len(page.Items), err)
	}
	// A customer naming another organisation when opening is told it does not exist.
	if _, _, err := f.svc.Open(ctx, f.memberB, tickets.NewIncident{OrganizationID: &inc.OrganizationID, Product: "p", Title: "t"}, ""); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("B opens for A: %v", err)
	}
}

func TestIdempotencyKeyIsPerCaller(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := tickets.NewIncident{Product: "p", Title: "same"}
	a, _, err := f.svc.Open(ctx, f.memberA, in, "k")
	if err != nil {
		t.Fatal(err)
	}
	b, replayed, err := f.svc.Open(ctx, f.memberB, in, "k")
	if err != nil || replayed || a.ID == b.ID {
		t.Fatalf("another caller's key replayed: %v %v", replayed, err)
	}
	again, replayed, err := f.svc.Open(ctx, f.memberA, in, "k")
	if err != nil || !replayed || again.ID != a.ID {
		t.Fatalf("replay: %v %v", replayed, err)
	}
}

// quietLog is the logger services get in tests: NewService refuses to run without one.
func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

package escalation_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/ticketstest"
	"gorm.io/gorm"
)

// countKey marks the context whose statements a counter counts.
type countKey struct{}

// countingDB opens a handle of its own on the package's database (so its callbacks touch no
// other test's) that counts every statement run with a context carrying a counter.
func countingDB(t *testing.T) *gorm.DB {
	t.Helper()
	db := testenv.OpenDB(t, testenv.Postgres(t))
	count := func(tx *gorm.DB) {
		if c, ok := tx.Statement.Context.Value(countKey{}).(*atomic.Int64); ok {
			c.Add(1)
		}
	}
	cb := db.Callback()
	for name, err := range map[string]error{
		"create": cb.Create().After("gorm:create").Register("test:count", count),
		"query":  cb.Query().After("gorm:query").Register("test:count", count),
		"update": cb.Update().After("gorm:update").Register("test:count", count),
		"delete": cb.Delete().After("gorm:delete").Register("test:count", count),
		"row":    cb.Row().After("gorm:row").Register("test:count", count),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count", count),
	} {
		if err != nil {
			t.Fatalf("register %s: %v", name, err)
		}
	}
	return db
}

// TestFiringBatchStatementsDoNotGrow: a batch of deadlines of escalated premium and platinum
// incidents of several organisations (breaches, escalations, warnings, managers, a TSAM, the
// customers, their followers and webhooks told) costs the same number of statements whether it
// holds one incident per organisation or six; and each customer hears only of their own
// organisation's incidents, once.
func TestFiringBatchStatementsDoNotGrow(t *testing.T) {
	f := newFixture(t, 0)
	db := countingDB(t)
	acc := accounts.NewStore(db, f.clock)
	mailer, err := escalation.NewMailer("smtp://127.0.0.1:9?from=support@vendor.example.test") // never dialled: nothing is sent
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: acc},
		Planner: catalog.New(catalog.NewStore(db), f.clock), Escalator: escalation.NewLadder(acc, escalation.NewOutbox(acc, mailer)),
		Teller: escalation.NewTeller(acc, mailer), Users: acc, Clock: f.clock})

	type org struct {
		accounts.Organization
		opener, follower accounts.User
	}
	var orgs []org
	for i, tier := range []string{"premium", "platinum", "premium"} {
		office := fmt.Sprintf("office-%d-%s", i, f.run)
		user := func(name string, role accounts.Role, orgID *uuid.UUID) accounts.User {
			u, err := acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d-%s@example.test", name, i, f.run),
				Name: name, Role: role, OrganizationID: orgID, Office: office})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		tsam := user("tsam", accounts.Executive, nil)
		user("manager", accounts.SupportManager, nil)
		o, err := acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: office, Office: office, Tier: tier, TSAMID: &tsam.ID})
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, org{Organization: o, opener: user("opener", accounts.Member, &o.ID), follower: user("follower", accounts.OrgAdmin, &o.ID)})
		if i == 0 {
			if _, _, err := f.hooks.Create(f.ctx, orgs[i].follower, escalation.NewWebhook{URL: "http://127.0.0.1:9/hook"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	followers := escalation.NewFollowers(escalation.NewStore(f.db), acc, f.clock)
	sev := 1

	// fire opens perOrg incidents in every organisation, lets two hours pass and fires every
	// timer then due in one batch, counting the batch's statements.
	fire := func(perOrg int) (int64, map[uuid.UUID]uuid.UUID) {
		byInc := map[uuid.UUID]uuid.UUID{} // incident → organisation
		var incIDs []uuid.UUID
		for _, o := range orgs {
			for k := 0; k < perOrg; k++ {
				inc, _, err := svc.Open(f.ctx, o.opener, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: &sev}, "")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := followers.Follow(f.ctx, o.opener, inc, o.follower.ID); err != nil {
					t.Fatal(err)
				}
				byInc[inc.ID] = o.ID
				incIDs = append(incIDs, inc.ID)
			}
		}
		f.clock.Advance(2*time.Hour + time.Second)
		var timers []uuid.UUID
		if err := f.db.Raw("SELECT id FROM sla_timers WHERE incident_id IN ? AND state = 'pending' AND due_at <= ?", incIDs, f.clock.Now()).
			Scan(&timers).Error; err != nil {
			t.Fatal(err)
		}
		var n atomic.Int64
		fired, err := svc.FireTimers(context.WithValue(f.ctx, countKey{}, &n), timers)
		if err != nil {
			t.Fatal(err)
		}
		escalated := 0
		for _, x := range fired {
			if x.Err != nil {
				t.Fatal(x.Err)
			}
			if x.Outcome == tickets.OutcomeEscalated {
				escalated++
			}
		}
		if escalated != len(incIDs) {
			t.Fatalf("%d of %d incidents escalated", escalated, len(incIDs))
		}
		return n.Load(), byInc
	}
	small, _ := fire(1)
	large, byInc := fire(6)
	t.Logf("statements of a firing batch: %d with 3 incidents, %d with 18", small, large)
	if small == 0 || large > small {
		t.Errorf("a firing batch of 18 escalated incidents ran %d statements, one of 3 ran %d: the cost grows with the batch", large, small)
	}

	// Each incident's escalation was told, in the inbox, to its own opener and follower alone.
	for inc, orgID := range byInc {
		var got []struct {
			RecipientID    uuid.UUID
			OrganizationID *uuid.UUID
		}
		if err := f.db.Raw(`SELECT n.recipient_id, u.organization_id FROM notifications n JOIN users u ON u.id = n.recipient_id
			WHERE n.incident_id = ? AND n.kind = ? AND n.channel = 'inbox'`, inc, escalation.KindIncidentEscalated).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Errorf("incident %s: escalation told to %d customers, want its opener and follower", inc, len(got))
		}
		for _, g := range got {
			if g.OrganizationID == nil || *g.OrganizationID != orgID {
				t.Errorf("incident %s: escalation told to %s of another organisation", inc, g.RecipientID)
			}
		}
	}
}

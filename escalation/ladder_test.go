package escalation_test

import (
	"slices"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/ticketstest"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// TestBreachedRecipientsInABatch: a breach is told to the assignee and the support managers of
// the assignee's office (the customer's office's when unassigned), and a platinum account's
// TSAM. A batch of breaches asks the same few statements whatever its size: assignees,
// organisations and each office's staff are read once per batch, not once per incident.
func TestBreachedRecipientsInABatch(t *testing.T) {
	f := newFixture(t, 0)
	suffix := uuid.NewString()[:8]
	home, away := "home-"+suffix, "away-"+suffix
	staff := func(role accounts.Role, office string) uuid.UUID {
		u, err := f.acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: uuid.NewString()[:8] + "@" + office + ".test", Name: "s", Role: role, Office: office})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	homeMgr, awayMgr, tsam := staff(accounts.SupportManager, home), staff(accounts.SupportManager, away), staff(accounts.Executive, home)
	org, err := f.acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: "Breached " + f.run, Office: home, Tier: "platinum", TSAMID: &tsam})
	if err != nil {
		t.Fatal(err)
	}
	member, err := f.acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: "m@" + home + ".test", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(f.db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Users: f.acc, Clock: f.clock})
	now := f.clock.Now()
	breach := func(tier string, assignee *uuid.UUID) tickets.Breach {
		inc, _, err := svc.Open(f.ctx, member, tickets.NewIncident{Product: "endpoint", Title: "breached", Description: "d"}, "")
		if err != nil {
			t.Fatal(err)
		}
		inc.Tier, inc.AssigneeID = tier, assignee // who is told depends on these alone
		return tickets.Breach{Incident: inc, Target: sla.FirstResponse, DueAt: now.Add(-time.Minute)}
	}
	told := func(b tickets.Breach) []uuid.UUID {
		var to []uuid.UUID
		f.db.Raw("SELECT recipient_id FROM notifications WHERE kind = 'breach' AND channel = 'inbox' AND data->>'reference' = ?", b.Incident.Reference).Scan(&to)
		sort.Slice(to, func(i, j int) bool { return to[i].String() < to[j].String() })
		return to
	}
	set := func(ids ...uuid.UUID) []uuid.UUID {
		sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
		return ids
	}

	// The ladder reads through a second GORM handle on the same pool that counts statements.
	sqlDB, err := f.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	counted, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		t.Fatal(err)
	}
	var statements atomic.Int64
	count := func(*gorm.DB) { statements.Add(1) }
	for _, err := range []error{
		counted.Callback().Query().After("gorm:query").Register("count", count),
		counted.Callback().Create().After("gorm:create").Register("count", count),
		counted.Callback().Raw().After("gorm:raw").Register("count", count),
		counted.Callback().Row().After("gorm:row").Register("count", count),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ladder := escalation.NewLadder(f.acc, escalation.NewOutbox(f.acc, nil))
	tell := func(bs []tickets.Breach) int64 {
		statements.Store(0)
		if err := dbx.InTx(f.ctx, counted, now, func(tx dbx.Tx) error {
			_, err := ladder.Breached(f.ctx, tx, bs)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return statements.Load()
	}

	engineer := staff(accounts.Engineer, away)
	alone := []tickets.Breach{breach("premium", &engineer)}
	few := tell(alone)
	if got := told(alone[0]); !slices.Equal(got, set(engineer, awayMgr)) {
		t.Errorf("assigned to another office's engineer: told %v, want the engineer %v and that office's manager %v", got, engineer, awayMgr)
	}
	var batch []tickets.Breach
	for i := 0; i < 6; i++ {
		e := staff(accounts.Engineer, away)
		batch = append(batch, breach("premium", &e))
	}
	unassigned, platinum := breach("premium", nil), breach("platinum", nil)
	batch = append(batch, unassigned, platinum)
	many := tell(batch)
	t.Logf("statements: %d for one breach, %d for %d", few, many, len(batch))
	if many > few+2 {
		t.Errorf("a batch of %d breaches took %d statements, one took %d: the ladder reads per incident", len(batch), many, few)
	}
	if got := told(unassigned); !slices.Equal(got, set(homeMgr)) {
		t.Errorf("unassigned: told %v, want the customer's office's manager %v", got, homeMgr)
	}
	if got := told(platinum); !slices.Equal(got, set(homeMgr, tsam)) {
		t.Errorf("platinum: told %v, want the manager %v and the TSAM %v", got, homeMgr, tsam)
	}
	if got := told(batch[3]); !slices.Equal(got, set(*batch[3].Incident.AssigneeID, awayMgr)) {
		t.Errorf("assigned in a batch: told %v", got)
	}
}

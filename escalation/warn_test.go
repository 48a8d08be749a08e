package escalation_test

import (
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/tickets/ticketstest"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// TestWarnedRecipients: a warning goes to the assignee; while unassigned, to the office's
// engineers who may claim — only the senior ones while a premium incident is still offered to
// seniors first, every engineer after that and for a standard one; an escalation's warning goes
// ahead to the level's recipients. Telling the same warning twice writes nothing new.
func TestWarnedRecipients(t *testing.T) {
	f := newFixture(t, 0)
	acc := accounts.NewStore(f.db, f.clock)
	office := "warn-" + uuid.NewString()[:8]
	org, err := acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: "Warned " + f.run, Office: office, Tier: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: "m@" + office + ".test", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(f.db), Entitler: ticketstest.OrgTier{Orgs: acc}, Users: acc, Clock: f.clock})
	mk := func(role accounts.Role, senior bool) uuid.UUID {
		u, err := acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: uuid.NewString()[:8] + "@" + office + ".test", Name: "s", Role: role, Senior: senior, Office: office})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	senior, junior, mgr, exec := mk(accounts.Engineer, true), mk(accounts.Engineer, false), mk(accounts.SupportManager, false), mk(accounts.Executive, false)
	ladder := escalation.NewLadder(acc, escalation.NewOutbox(f.acc, nil))
	now := f.clock.Now()
	told := func(tier string, assignee *uuid.UUID, since time.Duration, target sla.Target) []uuid.UUID {
		t.Helper()
		inc, _, err := svc.Open(f.ctx, member, tickets.NewIncident{Product: "endpoint", Title: "warned", Description: "d"}, "")
		if err != nil {
			t.Fatal(err)
		}
		// Who is told depends on these alone; the stored row only anchors the notes.
		inc.Tier, inc.AssigneeID, inc.AcceptedAt = tier, assignee, now.Add(-since)
		w := tickets.Warning{Incident: inc, Target: target, Point: 750, At: now, DueAt: now.Add(15 * time.Minute)}
		for i := 0; i < 2; i++ {
			if err := dbx.InTx(f.ctx, f.db, now, func(tx dbx.Tx) error {
				_, err := ladder.Warned(f.ctx, tx, []tickets.Warning{w})
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		var to []uuid.UUID
		f.db.Raw("SELECT recipient_id FROM notifications WHERE kind = 'sla_warning' AND channel = 'inbox' AND data->>'reference' = ?", inc.Reference).Scan(&to)
		sort.Slice(to, func(i, j int) bool { return to[i].String() < to[j].String() })
		return to
	}
	set := func(ids ...uuid.UUID) []uuid.UUID {
		sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
		return ids
	}
	same := func(a, b []uuid.UUID) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	for _, c := range []struct {
		name     string
		tier     string
		assignee *uuid.UUID
		since    time.Duration
		target   sla.Target
		want     []uuid.UUID
	}{
		{"assigned", "premium", &junior, time.Hour, sla.FirstResponse, set(junior)},
		{"premium, unassigned, within the seniors' first minutes", "premium", nil, time.Minute, sla.FirstResponse, set(senior)},
		{"premium, unassigned, later", "premium", nil, time.Hour, sla.UpdateCadence, set(senior, junior)},
		{"standard, unassigned", "standard", nil, time.Minute, sla.FirstResponse, set(senior, junior)},
		{"support manager ahead", "premium", &junior, time.Hour, sla.SupportManager, set(mgr)},
		{"executive ahead", "platinum", &junior, time.Hour, sla.Executive, set(exec)},
	} {
		if got := told(c.tier, c.assignee, c.since, c.target); !same(got, c.want) {
			t.Errorf("%s: told %v, want %v (senior %v, junior %v, manager %v, executive %v)", c.name, got, c.want, senior, junior, mgr, exec)
		}
	}
	if got := escalation.DueIn(90 * time.Minute); got != "1 h 30 min" {
		t.Errorf("DueIn(90m) = %q", got)
	}
	if got := escalation.DueIn(40 * time.Second); got != "40 s" {
		t.Errorf("DueIn(40s) = %q", got)
	}
}

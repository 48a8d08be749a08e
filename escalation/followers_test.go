package escalation_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/ticketstest"
)

// TestWhoMayFollow: where members see only their circle's incidents, the opener's groupmate and
// the organisation's admin may follow; a member outside the groups, a deactivated groupmate and
// an unknown user may not. The list names each follower, in the order they were added, a page
// at a time.
func TestWhoMayFollow(t *testing.T) {
	f := newFixture(t, 0)
	org, err := f.acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: "Followed " + f.run, Office: "tokyo", Tier: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string, role accounts.Role) accounts.User {
		u, err := f.acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: f.run + "-" + name + "@example.test", Name: name, Role: role, OrganizationID: &org.ID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	opener, mate, gone, outsider, orgAdmin := user("opener", accounts.Member), user("mate", accounts.Member), user("gone", accounts.Member),
		user("outsider", accounts.Member), user("orgadmin", accounts.OrgAdmin)
	g, err := f.acc.CreateGroup(f.ctx, f.admin, accounts.NewGroup{OrganizationID: &org.ID, Name: "followers " + f.run})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []accounts.User{opener, mate, gone} {
		if _, err := f.acc.AddGroupMember(f.ctx, f.admin, g.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.acc.Deactivate(f.ctx, f.admin, gone.ID); err != nil {
		t.Fatal(err)
	}
	own := accounts.VisibilityOwn
	if _, err := f.acc.UpdateOrganization(f.ctx, f.admin, org.ID, accounts.OrganizationPatch{IncidentVisibility: &own}); err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(f.db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Users: f.acc, Clock: f.clock})
	inc, _, err := svc.Open(f.ctx, opener, tickets.NewIncident{Product: "endpoint", Title: "followed", Description: "d"}, "")
	if err != nil {
		t.Fatal(err)
	}
	fol := escalation.NewFollowers(f.store, f.acc, f.clock)
	for _, c := range []struct {
		name string
		user uuid.UUID
		ok   bool
	}{
		{"a groupmate", mate.ID, true},
		{"the org admin", orgAdmin.ID, true},
		{"a member outside the groups", outsider.ID, false},
		{"a deactivated groupmate", gone.ID, false},
		{"nobody", uuid.New(), false},
	} {
		f.clock.Advance(time.Second)
		_, err := fol.Follow(f.ctx, opener, inc, c.user)
		if c.ok && err != nil || !c.ok && (apperr.KindOf(err) != apperr.Invalid || !apperr.Is(err, "invalid_value")) {
			t.Errorf("%s: %v (want ok: %v)", c.name, err, c.ok)
		}
	}
	list, err := fol.List(f.ctx, inc)
	if err != nil || len(list) != 2 || list[0].UserID != mate.ID || list[0].Name != "mate" || list[0].Email != mate.Email ||
		list[1].UserID != orgAdmin.ID || list[1].AddedBy != opener.ID {
		t.Fatalf("followers %+v %v", list, err)
	}
	first, next, err := fol.Page(f.ctx, inc, page.Request{Limit: 1})
	if err != nil || len(first) != 1 || first[0].UserID != mate.ID || next == "" {
		t.Fatalf("first page %+v %q %v", first, next, err)
	}
	cur, err := page.ParseCursor(next)
	if err != nil {
		t.Fatal(err)
	}
	second, next, err := fol.Page(f.ctx, inc, page.Request{Limit: 1, Cursor: &cur})
	if err != nil || len(second) != 1 || second[0].UserID != orgAdmin.ID || next != "" {
		t.Fatalf("second page %+v %q %v", second, next, err)
	}
}

package tickets_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

// TestVisibleAndMayAct is the rule of SPEC §1 with groups (seed 003 §3.2) as a table.
func TestVisibleAndMayAct(t *testing.T) {
	org, other := uuid.New(), uuid.New()
	opener, mate, stranger := uuid.New(), uuid.New(), uuid.New()
	inc := tickets.Incident{OrganizationID: org, OpenedBy: opener}
	member := func(id uuid.UUID, v accounts.Visibility, circle ...uuid.UUID) accounts.User {
		return accounts.User{ID: id, Role: accounts.Member, OrganizationID: &org, IncidentVisibility: v, Circle: circle}
	}
	orgAdmin := accounts.User{ID: uuid.New(), Role: accounts.OrgAdmin, OrganizationID: &org, IncidentVisibility: accounts.VisibilityOwn}
	foreign := accounts.User{ID: uuid.New(), Role: accounts.OrgAdmin, OrganizationID: &other}
	cases := []struct {
		name        string
		actor       accounts.User
		see, mayAct bool
	}{
		{"opener", member(opener, accounts.VisibilityOrganization), true, true},
		{"opener, own", member(opener, accounts.VisibilityOwn), true, true},
		{"group mate", member(mate, accounts.VisibilityOrganization, mate, opener), true, true},
		{"group mate, own", member(mate, accounts.VisibilityOwn, mate, opener), true, true},
		{"colleague in no group", member(stranger, accounts.VisibilityOrganization), true, false},
		{"colleague in no group, not loaded by token", member(stranger, ""), true, false},
		{"colleague in another group", member(stranger, accounts.VisibilityOrganization, stranger, mate), true, false},
		{"colleague, own", member(stranger, accounts.VisibilityOwn, stranger, mate), false, false},
		{"org admin, own", orgAdmin, true, true},
		{"another organisation's admin", foreign, false, false},
		{"engineer", accounts.User{ID: uuid.New(), Role: accounts.Engineer}, true, true},
	}
	for _, c := range cases {
		if got := tickets.Visible(c.actor, inc); got != c.see {
			t.Errorf("%s: Visible %v, want %v", c.name, got, c.see)
		}
		if got := tickets.MayAct(c.actor, inc); got != c.mayAct {
			t.Errorf("%s: MayAct %v, want %v", c.name, got, c.mayAct)
		}
	}
}

// TestGroupsDecideWhoActsAndSees: with users loaded from their tokens, a colleague outside the
// opener's groups is refused with not_in_group, a group mate acts, and under "own" visibility
// the colleague neither reads nor lists the incident.
func TestGroupsDecideWhoActsAndSees(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	as := func(u accounts.User) accounts.User {
		t.Helper()
		tok, err := f.acc.IssueToken(ctx, u.ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.acc.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	mk := func(name string) accounts.User {
		u, err := f.acc.CreateUser(ctx, f.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d@x.example", name, seq), Name: name,
			Role: accounts.Member, OrganizationID: f.memberA.OrganizationID})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	mate, colleague := mk("mate"), mk("colleague")
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "t"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PostUpdate(ctx, as(mate), inc.ID, "me too", true); !apperr.Is(err, "not_in_group") || apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("colleague outside any group: %v", err)
	}
	g, err := f.acc.CreateGroup(ctx, f.admin, accounts.NewGroup{Name: "CSIRT", OrganizationID: f.memberA.OrganizationID})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []accounts.User{f.memberA, mate} {
		if _, err := f.acc.AddGroupMember(ctx, f.admin, g.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.PostUpdate(ctx, as(mate), inc.ID, "me too", true); err != nil {
		t.Fatalf("group mate: %v", err)
	}
	if _, err := f.svc.Reopen(ctx, as(colleague), inc.ID, "x"); !apperr.Is(err, "not_in_group") {
		t.Fatalf("colleague reopens: %v", err)
	}

	own := accounts.VisibilityOwn
	if _, err := f.acc.UpdateOrganization(ctx, f.admin, *f.memberA.OrganizationID, accounts.OrganizationPatch{IncidentVisibility: &own}); err != nil {
		t.Fatal(err)
	}
	_, missing := f.svc.Get(ctx, as(colleague), uuid.New())
	if _, err := f.svc.Get(ctx, as(colleague), inc.ID); err == nil || err.Error() != missing.Error() {
		t.Fatalf("colleague reads under own: %v (missing: %v)", err, missing)
	}
	if _, err := f.svc.Timeline(ctx, as(colleague), inc.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("colleague reads the timeline under own: %v", err)
	}
	if _, err := f.svc.PostUpdate(ctx, as(colleague), inc.ID, "x", true); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("colleague acts under own: %v", err)
	}
	count := func(u accounts.User) int {
		t.Helper()
		p, err := f.svc.List(ctx, u, tickets.Filter{OpenedBy: []uuid.UUID{u.ID}}) // a caller's OpenedBy is ignored
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	if n := count(as(colleague)); n != 0 {
		t.Fatalf("colleague lists %d incidents under own", n)
	}
	if n := count(as(mate)); n != 1 {
		t.Fatalf("group mate lists %d incidents under own", n)
	}
	if n := count(f.admin); n < 1 {
		t.Fatalf("admin lists %d", n)
	}
}

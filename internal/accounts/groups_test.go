package accounts_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// people is two organisations with an admin and members each, and an engineer.
type people struct {
	acc             *accounts.Store
	admin, engineer accounts.User
	orgA, orgB      accounts.Organization
	adminA, adminB  accounts.User // org admins
	a1, a2, a3, b1  accounts.User // members
	tokens          map[uuid.UUID]string
	ctx             context.Context
	t               *testing.T
	clock           *clock.Fake
}

var seq int

func newPeople(t *testing.T) *people {
	t.Helper()
	seq++
	p := &people{t: t, ctx: context.Background(), tokens: map[uuid.UUID]string{},
		clock: clock.NewFake(time.Date(2026, 5, 1, 9, 0, 0, 123456789, time.UTC))}
	p.acc = accounts.NewStore(testenv.DB(t), p.clock)
	admin, err := p.acc.BootstrapAdmin(p.ctx, "accounts-test-admin-token-xx")
	if err != nil {
		t.Fatal(err)
	}
	p.admin = admin
	p.orgA, p.orgB = p.org("A"), p.org("B")
	p.adminA, p.adminB = p.user("oa", accounts.OrgAdmin, &p.orgA.ID), p.user("ob", accounts.OrgAdmin, &p.orgB.ID)
	p.a1, p.a2, p.a3 = p.user("a1", accounts.Member, &p.orgA.ID), p.user("a2", accounts.Member, &p.orgA.ID), p.user("a3", accounts.Member, &p.orgA.ID)
	p.b1 = p.user("b1", accounts.Member, &p.orgB.ID)
	p.engineer = p.user("eng", accounts.Engineer, nil)
	return p
}

func (p *people) org(name string) accounts.Organization {
	o, err := p.acc.CreateOrganization(p.ctx, p.admin, accounts.NewOrganization{Name: fmt.Sprintf("%s %s %d", name, p.t.Name(), seq)})
	if err != nil {
		p.t.Fatal(err)
	}
	return o
}

func (p *people) user(name string, role accounts.Role, org *uuid.UUID) accounts.User {
	u, err := p.acc.CreateUser(p.ctx, p.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d-%d@x.example", name, seq, time.Now().UnixNano()),
		Name: name, Role: role, OrganizationID: org, Office: "tokyo"})
	if err != nil {
		p.t.Fatal(err)
	}
	tok, err := p.acc.IssueToken(p.ctx, u.ID, "test")
	if err != nil {
		p.t.Fatal(err)
	}
	p.tokens[u.ID] = tok
	return u
}

// as returns the user as a request would see them: authenticated by token, circle loaded.
func (p *people) as(u accounts.User) accounts.User {
	p.t.Helper()
	got, err := p.acc.Authenticate(p.ctx, p.tokens[u.ID])
	if err != nil {
		p.t.Fatal(err)
	}
	return got
}

func (p *people) group(actor accounts.User, name string) accounts.Group {
	p.t.Helper()
	g, err := p.acc.CreateGroup(p.ctx, actor, accounts.NewGroup{Name: name})
	if err != nil {
		p.t.Fatal(err)
	}
	return g
}

func wantErr(t *testing.T, what string, err error, kind apperr.Kind, code string) {
	t.Helper()
	if apperr.KindOf(err) != kind || !apperr.Is(err, code) {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

func TestCreateGroupWhoAndWhere(t *testing.T) {
	p := newPeople(t)
	g, err := p.acc.CreateGroup(p.ctx, p.adminA, accounts.NewGroup{Name: "  CSIRT ", Description: "incident response"})
	if err != nil {
		t.Fatal(err)
	}
	if g.OrganizationID != p.orgA.ID || g.Name != "CSIRT" || g.Description != "incident response" || len(g.Members) != 0 ||
		!g.CreatedAt.Equal(time.Date(2026, 5, 1, 9, 0, 0, 123456000, time.UTC)) {
		t.Fatalf("%+v", g)
	}
	_, err = p.acc.CreateGroup(p.ctx, p.adminA, accounts.NewGroup{Name: "csirt"})
	wantErr(t, "same name, other case", err, apperr.Conflict, "group_exists")
	// The same name in another organisation is another group.
	if _, err := p.acc.CreateGroup(p.ctx, p.admin, accounts.NewGroup{Name: "CSIRT", OrganizationID: &p.orgB.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = p.acc.CreateGroup(p.ctx, p.adminA, accounts.NewGroup{Name: "x", OrganizationID: &p.orgB.ID})
	wantErr(t, "org admin, another organisation", err, apperr.NotFound, "not_found")
	_, err = p.acc.CreateGroup(p.ctx, p.admin, accounts.NewGroup{Name: "x"})
	wantErr(t, "admin without organisation", err, apperr.Invalid, "invalid_value")
	missing := uuid.New()
	_, err = p.acc.CreateGroup(p.ctx, p.admin, accounts.NewGroup{Name: "x", OrganizationID: &missing})
	wantErr(t, "admin, missing organisation", err, apperr.NotFound, "not_found")
	_, err = p.acc.CreateGroup(p.ctx, p.adminA, accounts.NewGroup{Name: "  "})
	wantErr(t, "empty name", err, apperr.Invalid, "invalid_value")
	for _, u := range []accounts.User{p.a1, p.engineer} {
		_, err = p.acc.CreateGroup(p.ctx, u, accounts.NewGroup{Name: "y", OrganizationID: &p.orgA.ID})
		wantErr(t, string(u.Role)+" creates a group", err, apperr.Forbidden, "forbidden")
	}
}

func TestGroupMembersAndCircle(t *testing.T) {
	p := newPeople(t)
	g := p.group(p.adminA, "CSIRT")
	if c := p.as(p.a1).Circle; len(c) != 0 {
		t.Fatalf("circle outside any group: %v", c)
	}
	got, err := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, p.a1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, p.a2.ID); err != nil {
		t.Fatal(err)
	}
	again, err := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, p.a1.ID) // idempotent
	if err != nil || len(again.Members) != 2 || len(got.Members) != 1 || got.Members[0].UserID != p.a1.ID ||
		got.Members[0].Email != p.a1.Email || again.Members[0].AddedAt != got.Members[0].AddedAt {
		t.Fatalf("members %+v then %+v (%v)", got.Members, again.Members, err)
	}

	a1 := p.as(p.a1)
	if !a1.InCircle(p.a2.ID) || !a1.InCircle(p.a1.ID) || a1.InCircle(p.a3.ID) || a1.IncidentVisibility != accounts.VisibilityOrganization {
		t.Fatalf("a1 after joining: circle %v, visibility %q", a1.Circle, a1.IncidentVisibility)
	}
	if p.as(p.a3).InCircle(p.a1.ID) {
		t.Fatal("a3, in no group, has a1 in their circle")
	}
	// A second group widens the circle; a user in both counts once.
	g2 := p.group(p.adminA, "Night shift")
	for _, u := range []accounts.User{p.a1, p.a3} {
		if _, err := p.acc.AddGroupMember(p.ctx, p.admin, g2.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	want := []uuid.UUID{p.a1.ID, p.a2.ID, p.a3.ID}
	got1 := slices.Clone(p.as(p.a1).Circle)
	slices.SortFunc(got1, func(x, y uuid.UUID) int { return slices.Compare(x[:], y[:]) })
	slices.SortFunc(want, func(x, y uuid.UUID) int { return slices.Compare(x[:], y[:]) })
	if !reflect.DeepEqual(got1, want) {
		t.Fatalf("a1's circle %v, want %v", got1, want)
	}
	if p.as(p.a2).InCircle(p.a3.ID) {
		t.Fatal("circles are not transitive: a2 and a3 share no group")
	}

	// Removing takes effect at the next authentication; deleting a group removes its circle.
	if err := p.acc.RemoveGroupMember(p.ctx, p.adminA, g.ID, p.a2.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.acc.RemoveGroupMember(p.ctx, p.adminA, g.ID, p.a2.ID); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	if p.as(p.a1).InCircle(p.a2.ID) {
		t.Fatal("a2 still in a1's circle after removal")
	}
	if err := p.acc.DeleteGroup(p.ctx, p.adminA, g2.ID); err != nil {
		t.Fatal(err)
	}
	if c := p.as(p.a3).Circle; len(c) != 0 {
		t.Fatalf("a3's circle after the group was deleted: %v", c)
	}
	_, err = p.acc.AddGroupMember(p.ctx, p.adminA, g2.ID, p.a1.ID)
	wantErr(t, "adding to a deleted group", err, apperr.NotFound, "not_found")
}

func TestGroupMembershipRefusals(t *testing.T) {
	p := newPeople(t)
	g := p.group(p.adminA, "CSIRT")

	_, missingErr := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, uuid.New())
	wantErr(t, "missing user", missingErr, apperr.NotFound, "not_found")
	_, foreignErr := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, p.b1.ID)
	wantErr(t, "user of another organisation", foreignErr, apperr.NotFound, "not_found")
	if missingErr.Error() != foreignErr.Error() {
		t.Fatalf("another organisation's user must look missing: %q vs %q", foreignErr, missingErr)
	}
	_, err := p.acc.AddGroupMember(p.ctx, p.admin, g.ID, p.engineer.ID)
	wantErr(t, "staff user", err, apperr.Invalid, "invalid_value")
	if _, err := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, p.adminA.ID); err != nil {
		t.Fatalf("an org admin may be in a group: %v", err)
	}

	// Another organisation's admin: the group does not exist for them.
	_, err = p.acc.AddGroupMember(p.ctx, p.adminB, g.ID, p.b1.ID)
	wantErr(t, "foreign org admin adds", err, apperr.NotFound, "not_found")
	_, missingGroup := p.acc.FindGroup(p.ctx, p.adminB, uuid.New())
	_, foreignGroup := p.acc.FindGroup(p.ctx, p.adminB, g.ID)
	if apperr.KindOf(foreignGroup) != apperr.NotFound || missingGroup.Error() != foreignGroup.Error() {
		t.Fatalf("foreign group %v, missing group %v", foreignGroup, missingGroup)
	}
	wantErr(t, "foreign org admin deletes", p.acc.DeleteGroup(p.ctx, p.adminB, g.ID), apperr.NotFound, "not_found")
	wantErr(t, "foreign org admin removes", p.acc.RemoveGroupMember(p.ctx, p.adminB, g.ID, p.a1.ID), apperr.NotFound, "not_found")

	// Members and staff do not manage groups.
	for _, u := range []accounts.User{p.a1, p.engineer} {
		_, err = p.acc.AddGroupMember(p.ctx, u, g.ID, p.a2.ID)
		wantErr(t, string(u.Role)+" adds", err, apperr.Forbidden, "forbidden")
		wantErr(t, string(u.Role)+" deletes", p.acc.DeleteGroup(p.ctx, u, g.ID), apperr.Forbidden, "forbidden")
	}
}

func TestWhoSeesWhichGroups(t *testing.T) {
	p := newPeople(t)
	red, blue := p.group(p.adminA, "Red"), p.group(p.adminA, "Blue")
	bgroup := p.group(p.adminB, "B team")
	if _, err := p.acc.AddGroupMember(p.ctx, p.adminA, red.ID, p.a1.ID); err != nil {
		t.Fatal(err)
	}
	names := func(u accounts.User, org *uuid.UUID) []string {
		t.Helper()
		gs, err := p.acc.ListGroups(p.ctx, u, org)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range gs {
			out = append(out, g.Name)
		}
		return out
	}
	if got := names(p.adminA, nil); !reflect.DeepEqual(got, []string{"Blue", "Red"}) {
		t.Fatalf("org admin lists %v", got)
	}
	if got := names(p.adminA, &p.orgB.ID); len(got) != 0 {
		t.Fatalf("org admin filtering by another organisation lists %v", got)
	}
	if got := names(p.a1, nil); !reflect.DeepEqual(got, []string{"Red"}) {
		t.Fatalf("member lists %v", got)
	}
	if got := names(p.a2, nil); len(got) != 0 {
		t.Fatalf("member of no group lists %v", got)
	}
	if got := names(p.admin, &p.orgB.ID); !reflect.DeepEqual(got, []string{"B team"}) {
		t.Fatalf("admin filtering lists %v", got)
	}
	if got := names(p.admin, nil); len(got) < 3 {
		t.Fatalf("admin lists %v", got)
	}
	if _, err := p.acc.ListGroups(p.ctx, p.engineer, nil); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("engineer lists groups: %v", err)
	}
	if g, err := p.acc.FindGroup(p.ctx, p.a1, red.ID); err != nil || len(g.Members) != 1 {
		t.Fatalf("member reads their group: %+v %v", g, err)
	}
	for _, c := range []struct {
		who accounts.User
		id  uuid.UUID
	}{{p.a1, blue.ID}, {p.a2, red.ID}, {p.a1, bgroup.ID}, {p.adminA, bgroup.ID}} {
		if _, err := p.acc.FindGroup(p.ctx, c.who, c.id); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("%s reads group %s: %v", c.who.Name, c.id, err)
		}
	}
}

func TestIncidentVisibilitySetting(t *testing.T) {
	p := newPeople(t)
	own, bad := accounts.VisibilityOwn, accounts.Visibility("team")
	if p.orgA.IncidentVisibility != accounts.VisibilityOrganization {
		t.Fatalf("a new organisation's visibility is %q", p.orgA.IncidentVisibility)
	}
	org, err := p.acc.UpdateOrganization(p.ctx, p.adminA, p.orgA.ID, accounts.OrganizationPatch{IncidentVisibility: &own})
	if err != nil || org.IncidentVisibility != accounts.VisibilityOwn {
		t.Fatalf("%+v %v", org, err)
	}
	if got, _ := p.acc.FindOrganizationByID(p.ctx, p.orgA.ID); got.IncidentVisibility != accounts.VisibilityOwn {
		t.Fatalf("stored %q", got.IncidentVisibility)
	}
	if u := p.as(p.a1); !u.SeesOwnOnly() {
		t.Fatalf("member of an 'own' organisation: %q", u.IncidentVisibility)
	}
	if u := p.as(p.adminA); u.SeesOwnOnly() {
		t.Fatal("org admins see every incident of their organisation")
	}
	_, err = p.acc.UpdateOrganization(p.ctx, p.adminA, p.orgB.ID, accounts.OrganizationPatch{IncidentVisibility: &own})
	wantErr(t, "another organisation", err, apperr.NotFound, "not_found")
	_, err = p.acc.UpdateOrganization(p.ctx, p.adminA, p.orgA.ID, accounts.OrganizationPatch{IncidentVisibility: &bad})
	wantErr(t, "bad value", err, apperr.Invalid, "invalid_value")
	_, err = p.acc.UpdateOrganization(p.ctx, p.adminA, p.orgA.ID, accounts.OrganizationPatch{})
	wantErr(t, "nothing given", err, apperr.Invalid, "invalid_value")
	for _, u := range []accounts.User{p.a1, p.engineer} {
		_, err = p.acc.UpdateOrganization(p.ctx, u, p.orgA.ID, accounts.OrganizationPatch{IncidentVisibility: &own})
		wantErr(t, string(u.Role), err, apperr.Forbidden, "forbidden")
	}
	if org, err := p.acc.UpdateOrganization(p.ctx, p.admin, p.orgB.ID, accounts.OrganizationPatch{IncidentVisibility: &own}); err != nil || org.IncidentVisibility != own {
		t.Fatalf("admin: %+v %v", org, err)
	}
	missing := uuid.New()
	_, err = p.acc.UpdateOrganization(p.ctx, p.admin, missing, accounts.OrganizationPatch{IncidentVisibility: &own})
	wantErr(t, "missing organisation", err, apperr.NotFound, "not_found")
}

package accounts_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/testenv"
)

// TestFindUsersInBatches: the batched look-ups return what was asked for by ID, leave unknown
// IDs out, read nothing for nothing asked, and read alike through a transaction.
func TestFindUsersInBatches(t *testing.T) {
	p := newPeople(t)
	missing := uuid.New()
	got, err := p.acc.FindUsers(p.ctx, []uuid.UUID{p.a1.ID, p.engineer.ID, missing})
	if err != nil || len(got) != 2 || got[p.a1.ID].Email != p.a1.Email || got[p.engineer.ID].Role != accounts.Engineer {
		t.Fatalf("FindUsers: %+v %v", got, err)
	}
	if _, ok := got[missing]; ok {
		t.Fatal("an unknown ID was found")
	}
	if none, err := p.acc.FindUsers(p.ctx, nil); err != nil || len(none) != 0 || none == nil {
		t.Fatalf("FindUsers(nil): %v %v, want an empty map", none, err)
	}

	office := "find-" + uuid.NewString()[:8]
	mgr, err := p.acc.CreateUser(p.ctx, p.admin, accounts.NewUser{Email: office + "-mgr@x.example", Name: "m", Role: accounts.SupportManager, Office: office})
	if err != nil {
		t.Fatal(err)
	}
	senior, err := p.acc.CreateUser(p.ctx, p.admin, accounts.NewUser{Email: office + "-eng@x.example", Name: "e", Role: accounts.Engineer, Senior: true, Office: office})
	if err != nil {
		t.Fatal(err)
	}
	err = dbx.InTx(p.ctx, testenv.DB(t), p.clock.Now(), func(tx dbx.Tx) error {
		users, err := p.acc.FindUsersIn(p.ctx, tx, []uuid.UUID{p.b1.ID, senior.ID})
		if err != nil || len(users) != 2 || !users[senior.ID].Senior || *users[p.b1.ID].OrganizationID != p.orgB.ID {
			t.Errorf("FindUsersIn: %+v %v", users, err)
		}
		orgs, err := p.acc.FindOrganizationsIn(p.ctx, tx, []uuid.UUID{p.orgA.ID, p.orgB.ID, missing})
		if err != nil || len(orgs) != 2 || orgs[p.orgA.ID].Name != p.orgA.Name {
			t.Errorf("FindOrganizationsIn: %+v %v", orgs, err)
		}
		staff, err := p.acc.FindStaffIn(p.ctx, tx, office, accounts.Engineer)
		if err != nil || len(staff) != 1 || staff[0].ID != senior.ID {
			t.Errorf("FindStaffIn(engineers of %s): %+v %v", office, staff, err)
		}
		staff, err = p.acc.FindStaffIn(p.ctx, tx, office, accounts.Engineer, accounts.SupportManager)
		if err != nil || len(staff) != 2 || staff[0].ID != mgr.ID || staff[1].ID != senior.ID {
			t.Errorf("FindStaffIn(two roles): %+v %v, want oldest first", staff, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFindUserWithCircle: the user comes with their circle and their organisation's visibility,
// as a token would load them, so tickets.Visible can judge a user who is not the caller; a
// deactivated user is found (and says so); an unknown one is not_found.
func TestFindUserWithCircle(t *testing.T) {
	p := newPeople(t)
	g := p.group(p.adminA, "circle")
	for _, u := range []accounts.User{p.a1, p.a2} {
		if _, err := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	own := accounts.VisibilityOwn
	if _, err := p.acc.UpdateOrganization(p.ctx, p.adminA, p.orgA.ID, accounts.OrganizationPatch{IncidentVisibility: &own}); err != nil {
		t.Fatal(err)
	}
	a1, err := p.acc.FindUserWithCircle(p.ctx, p.a1.ID)
	if err != nil || !a1.InCircle(p.a2.ID) || a1.InCircle(p.a3.ID) || !a1.SeesOwnOnly() {
		t.Fatalf("a1: circle %v, visibility %q, %v", a1.Circle, a1.IncidentVisibility, err)
	}
	if a3, err := p.acc.FindUserWithCircle(p.ctx, p.a3.ID); err != nil || len(a3.Circle) != 0 || a3.InCircle(p.a1.ID) {
		t.Fatalf("a3, in no group: circle %v, %v", a3.Circle, err)
	}
	if b1, err := p.acc.FindUserWithCircle(p.ctx, p.b1.ID); err != nil || b1.SeesOwnOnly() {
		t.Fatalf("b1 of an organisation showing all: visibility %q, %v", b1.IncidentVisibility, err)
	}
	if eng, err := p.acc.FindUserWithCircle(p.ctx, p.engineer.ID); err != nil || eng.Role != accounts.Engineer {
		t.Fatalf("staff: %+v %v", eng, err)
	}
	if _, err := p.acc.Deactivate(p.ctx, p.admin, p.a2.ID); err != nil {
		t.Fatal(err)
	}
	if a2, err := p.acc.FindUserWithCircle(p.ctx, p.a2.ID); err != nil || a2.DeactivatedAt == nil {
		t.Fatalf("deactivated a2: %+v %v", a2, err)
	}
	_, err = p.acc.FindUserWithCircle(p.ctx, uuid.New())
	wantErr(t, "unknown user", err, apperr.NotFound, "not_found")
}

package accounts_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/testenv"
)

// TestFindReachIn: each ask is answered with the active customers of its organisation among
// the users it names and, when it asks, the opener's group co-members; staff, users of another
// organisation and deactivated users are left out; WithOpener and Sees follow the circle and
// the organisation's visibility; thousands of asks are answered in order across statements.
func TestFindReachIn(t *testing.T) {
	p := newPeople(t)
	g := p.group(p.adminA, "ops")
	for _, u := range []accounts.User{p.a1, p.a2} {
		if _, err := p.acc.AddGroupMember(p.ctx, p.adminA, g.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	gone := p.user("gone", accounts.Member, &p.orgA.ID)
	if _, err := p.acc.Deactivate(p.ctx, p.admin, gone.ID); err != nil {
		t.Fatal(err)
	}
	own := accounts.VisibilityOwn
	if _, err := p.acc.UpdateOrganization(p.ctx, p.admin, p.orgA.ID, accounts.OrganizationPatch{IncidentVisibility: &own}); err != nil {
		t.Fatal(err)
	}

	named := []uuid.UUID{p.a1.ID, p.a3.ID, p.adminA.ID, p.b1.ID, p.engineer.ID, gone.ID, uuid.New()}
	asks := []accounts.ReachAsk{
		{Org: p.orgA.ID, Opener: p.a1.ID, Users: named},               // no groups: a2 is not named
		{Org: p.orgA.ID, Opener: p.a1.ID, Users: named, Groups: true}, // a2 joins through the group
		{Org: p.orgB.ID, Opener: p.b1.ID, Users: []uuid.UUID{p.b1.ID, p.a1.ID}, Groups: true},
		{Org: p.orgA.ID, Opener: p.a3.ID}, // nobody named
	}
	// Enough asks for two statements (4,000 each); every copy must get its own answer.
	for range 4100 {
		asks = append(asks, accounts.ReachAsk{Org: p.orgB.ID, Opener: p.b1.ID, Users: []uuid.UUID{p.b1.ID}})
	}
	var got [][]accounts.Reached
	err := dbx.InTx(p.ctx, testenv.DB(t), p.clock.Now(), func(tx dbx.Tx) (err error) {
		got, err = p.acc.FindReachIn(p.ctx, tx, asks)
		return err
	})
	if err != nil || len(got) != len(asks) {
		t.Fatalf("FindReachIn: %d answers, %v", len(got), err)
	}

	type seen struct {
		id               uuid.UUID
		withOpener, sees bool
	}
	view := func(rs []accounts.Reached) []seen {
		var out []seen
		for _, r := range rs {
			out = append(out, seen{r.User.ID, r.WithOpener, r.Sees()})
			if r.User.Email == "" || r.User.IncidentVisibility == "" {
				t.Errorf("reached %s without address or visibility: %+v", r.User.ID, r.User)
			}
		}
		return out
	}
	sorted := func(s ...seen) []seen {
		slices.SortFunc(s, func(a, b seen) int { return slices.Compare(a.id[:], b.id[:]) })
		return s
	}
	for i, want := range [][]seen{
		// a3 is named but outside a1's circle: an own-visibility member does not see it; the org
		// admin sees every incident of the organisation.
		sorted(seen{p.a1.ID, true, true}, seen{p.a3.ID, false, false}, seen{p.adminA.ID, false, true}),
		sorted(seen{p.a1.ID, true, true}, seen{p.a2.ID, true, true}, seen{p.a3.ID, false, false}, seen{p.adminA.ID, false, true}),
		{{p.b1.ID, true, true}}, // a1 named under orgB is left out
		nil,
	} {
		if g := view(got[i]); !slices.Equal(g, want) {
			t.Errorf("ask %d: %+v, want %+v", i, g, want)
		}
	}
	for i, rs := range got[4:] {
		if len(rs) != 1 || rs[0].User.ID != p.b1.ID {
			t.Fatalf("copy %d: %+v", i, rs)
		}
	}
	if got[4][0].User.IncidentVisibility != accounts.VisibilityOrganization {
		t.Errorf("orgB's visibility: %q", got[4][0].User.IncidentVisibility)
	}
}

package accounts_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
)

// TestDeactivationSticks: a deactivated user of any role authenticates with no token, old or
// new, and is issued none, by whoever asks (themselves, their org admin, an admin), until an
// admin or their org admin reactivates them; reactivation does not bring the old tokens back.
func TestDeactivationSticks(t *testing.T) {
	p := newPeople(t)
	mgr := p.user("mgr", accounts.SupportManager, nil)
	for _, c := range []struct {
		name         string
		target       accounts.User
		deactivator  accounts.User
		minters      []accounts.User // who may mint for an active target
		reactivators []accounts.User
	}{
		{"member by org admin", p.a1, p.adminA, []accounts.User{p.adminA, p.admin, p.a1}, []accounts.User{p.adminA}},
		{"member by admin", p.a2, p.admin, []accounts.User{p.adminA, p.admin}, []accounts.User{p.admin}},
		{"engineer", p.engineer, p.admin, []accounts.User{p.admin, p.engineer}, []accounts.User{p.admin}},
		{"support manager", mgr, p.admin, []accounts.User{p.admin, mgr}, []accounts.User{p.admin}},
	} {
		t.Run(c.name, func(t *testing.T) {
			old := p.tokens[c.target.ID]
			self := p.as(c.target) // the target as their own request sees them
			if n, err := p.acc.Deactivate(p.ctx, c.deactivator, c.target.ID); err != nil || n != 1 {
				t.Fatalf("deactivate: %d tokens revoked, %v", n, err)
			}
			if _, err := p.acc.Authenticate(p.ctx, old); apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("old token after deactivation: %v", err)
			}
			for _, m := range c.minters {
				if m.ID == c.target.ID {
					m = self
				}
				if tok, err := p.acc.CreateToken(p.ctx, m, c.target.ID, "again"); !apperr.Is(err, "user_deactivated") {
					t.Fatalf("%s minted a token for a deactivated user: %q %v", m.Role, tok, err)
				}
			}
			if _, err := p.acc.IssueToken(p.ctx, c.target.ID, "direct"); !apperr.Is(err, "user_deactivated") {
				t.Fatalf("IssueToken for a deactivated user: %v", err)
			}
			u, err := p.acc.FindUserByID(p.ctx, c.target.ID)
			if err != nil || u.DeactivatedAt == nil {
				t.Fatalf("deactivated_at not recorded: %+v %v", u, err)
			}
			// Deactivating again revokes nothing more and keeps the first time.
			if n, err := p.acc.Deactivate(p.ctx, c.deactivator, c.target.ID); err != nil || n != 0 {
				t.Fatalf("second deactivate: %d %v", n, err)
			}
			for _, r := range c.reactivators {
				back, err := p.acc.Reactivate(p.ctx, r, c.target.ID)
				if err != nil || back.DeactivatedAt != nil {
					t.Fatalf("reactivate by %s: %+v %v", r.Role, back, err)
				}
			}
			if _, err := p.acc.Authenticate(p.ctx, old); apperr.KindOf(err) != apperr.Unauthorized {
				t.Fatalf("reactivation brought the old token back: %v", err)
			}
			tok, err := p.acc.CreateToken(p.ctx, c.minters[0], c.target.ID, "new")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := p.acc.Authenticate(p.ctx, tok); err != nil || got.ID != c.target.ID {
				t.Fatalf("new token after reactivation: %v", err)
			}
			p.tokens[c.target.ID] = tok
		})
	}
}

// TestReactivateRoles: only admins, and org admins for their own organisation's users, may
// reactivate; another organisation's admin is told the user does not exist.
func TestReactivateRoles(t *testing.T) {
	p := newPeople(t)
	if _, err := p.acc.Deactivate(p.ctx, p.adminA, p.a3.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		actor accounts.User
		kind  apperr.Kind
	}{{p.adminB, apperr.NotFound}, {p.a1, apperr.NotFound}, {p.b1, apperr.NotFound}, {p.engineer, apperr.Forbidden}} {
		if _, err := p.acc.Reactivate(p.ctx, c.actor, p.a3.ID); apperr.KindOf(err) != c.kind {
			t.Errorf("%s reactivates: %v, want %v", c.actor.Role, err, c.kind)
		}
	}
	if _, err := p.acc.Deactivate(p.ctx, p.adminB, p.a3.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another organisation's admin deactivates: %v", err)
	}
	if _, err := p.acc.Reactivate(p.ctx, p.adminA, p.engineer.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("an org admin reactivates staff: %v", err)
	}
}

// TestNoTokenRacesADeactivation: tokens minted while a deactivation runs are either refused or
// revoked by it; none authenticates afterwards, and none after a reactivation either.
func TestNoTokenRacesADeactivation(t *testing.T) {
	p := newPeople(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var minted []string
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := p.acc.IssueToken(p.ctx, p.a2.ID, "race"); err == nil {
				mu.Lock()
				minted = append(minted, tok)
				mu.Unlock()
			}
		}()
	}
	if _, err := p.acc.Deactivate(p.ctx, p.adminA, p.a2.ID); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if _, err := p.acc.Reactivate(p.ctx, p.adminA, p.a2.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range minted {
		if _, err := p.acc.Authenticate(p.ctx, tok); err == nil {
			t.Fatal("a token minted during the deactivation authenticates after it")
		}
	}
}

// TestBootstrapAdminStaysDeactivated: restarting with SUPPORT_ADMIN_TOKEN does not bring a
// deactivated bootstrap admin back, nor, after a reactivation, the token the deactivation
// revoked. Its own database: the package's bootstrap admin is every other test's.
func TestBootstrapAdminStaysDeactivated(t *testing.T) {
	ctx := context.Background()
	acc := accounts.NewStore(testenv.OpenDB(t, testenv.FreshDatabase(t)), clock.NewFake(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)))
	const first = "bootstrap-test-token-000000"
	admin, err := acc.BootstrapAdmin(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	other, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: "admin2@x.example", Name: "A2", Role: accounts.Admin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Deactivate(ctx, other, admin.ID); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{first, "bootstrap-test-token-111111"} {
		if _, err := acc.BootstrapAdmin(ctx, tok); !apperr.Is(err, "user_deactivated") {
			t.Fatalf("bootstrap of a deactivated admin: %v", err)
		}
		if _, err := acc.Authenticate(ctx, tok); err == nil {
			t.Fatal("the deactivated bootstrap admin authenticates")
		}
	}
	if _, err := acc.Reactivate(ctx, other, admin.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.BootstrapAdmin(ctx, first); !apperr.Is(err, "token_revoked") {
		t.Fatalf("bootstrap with the revoked token after reactivation: %v", err)
	}
	if _, err := acc.BootstrapAdmin(ctx, "bootstrap-test-token-222222"); err != nil {
		t.Fatalf("bootstrap with a new token after reactivation: %v", err)
	}
}

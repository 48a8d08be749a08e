package accounts_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

var policy = accounts.SessionPolicy{Idle: 30 * time.Minute, Absolute: 8 * time.Hour}

// clients numbers the clients of a test run: each call of client is another client, always. (It
// used the clock's nanoseconds modulo 250, so two calls could be the same client and share its
// sign-in throttle: TestSignInThrottled failed about once in 250 runs.)
var clients atomic.Int64

func client(t *testing.T) accounts.Client {
	n := clients.Add(1)
	return accounts.Client{UserAgent: "test", IP: fmt.Sprintf("192.0.2.%d/%d/%s", n%250, n, t.Name())}
}

func (p *people) password(u accounts.User, pw string) {
	p.t.Helper()
	if err := p.acc.SetPassword(p.ctx, p.admin, u.ID, "", pw, nil); err != nil {
		p.t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// A password sign-in opens a session that ends when idle, at its absolute end, and when revoked;
// only a hash of its secret is stored (the secret itself never authenticates through the token path).
func TestSessionLifecycle(t *testing.T) {
	p := newPeople(t)
	p.password(p.a1, "correct horse battery")
	c := client(t)
	if _, _, _, err := p.acc.SignIn(p.ctx, p.a1.Email, "wrong password!", c, policy); !apperr.Is(err, "invalid_credentials") {
		t.Fatalf("wrong password: %v", err)
	}
	u, secret, sess, err := p.acc.SignIn(p.ctx, " "+p.a1.Email+" ", "correct horse battery", c, policy)
	if err != nil || u.ID != p.a1.ID || sess.ExpiresAt != p.clock.Now().Add(8*time.Hour) {
		t.Fatalf("sign in: %v %+v %+v", err, u, sess)
	}
	if got, _, err := p.acc.ResumeSession(p.ctx, secret, policy); err != nil || got.ID != p.a1.ID {
		t.Fatalf("resume: %v", err)
	}
	if _, err := p.acc.Authenticate(p.ctx, secret); err == nil {
		t.Fatal("a session secret must not work as a bearer token")
	}
	// Used every 20 minutes it stays alive past the idle time, until the absolute end.
	for i := 0; i < 23; i++ {
		p.clock.Advance(20 * time.Minute)
		if _, _, err := p.acc.ResumeSession(p.ctx, secret, policy); err != nil {
			t.Fatalf("after %d uses: %v", i, err)
		}
	}
	p.clock.Advance(20 * time.Minute) // 8 h since sign-in
	if _, _, err := p.acc.ResumeSession(p.ctx, secret, policy); err == nil {
		t.Fatal("session outlived its absolute expiry")
	}
	// Idle expiry.
	_, secret, _, err = p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", c, policy)
	if err != nil {
		t.Fatal(err)
	}
	p.clock.Advance(31 * time.Minute)
	if _, _, err := p.acc.ResumeSession(p.ctx, secret, policy); err == nil {
		t.Fatal("idle session still works")
	}
	// Listed and revocable by the owner only; sign-out ends one.
	_, s1, sess1, _ := p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", c, policy)
	_, s2, _, _ := p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", c, policy)
	list, err := p.acc.ListSessions(p.ctx, p.a1.ID, policy)
	if err != nil || len(list) != 2 {
		t.Fatalf("sessions: %v %d", err, len(list))
	}
	wantCode(t, p.acc.RevokeSession(p.ctx, p.a2.ID, sess1.ID), "not_found")
	if err := p.acc.RevokeSession(p.ctx, p.a1.ID, sess1.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, s1, policy); err == nil {
		t.Fatal("revoked session still works")
	}
	if err := p.acc.EndSession(p.ctx, s2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, s2, policy); err == nil {
		t.Fatal("signed-out session still works")
	}
}

// Five failures for an address lock it for the window, even with the right password; twenty
// from one client lock that client for any address. Counts live in PostgreSQL.
func TestSignInThrottled(t *testing.T) {
	p := newPeople(t)
	p.password(p.a1, "correct horse battery")
	p.password(p.a2, "correct horse battery")
	for i := 0; i < accounts.MaxFailuresPerAddress; i++ {
		_, _, _, err := p.acc.SignIn(p.ctx, p.a1.Email, "nope nope nope", client(t), policy)
		wantCode(t, err, "invalid_credentials")
	}
	_, _, _, err := p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", client(t), policy)
	wantCode(t, err, "sign_in_throttled")
	p.clock.Advance(accounts.ThrottleWindow + time.Second)
	if _, _, _, err := p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", client(t), policy); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	c := client(t)
	for i := 0; i < accounts.MaxFailuresPerClient; i++ {
		_, _, _, err := p.acc.SignIn(p.ctx, fmt.Sprintf("nobody%d-%s@x.example", i, t.Name()), "nope nope nope", c, policy)
		wantCode(t, err, "invalid_credentials")
	}
	_, _, _, err = p.acc.SignIn(p.ctx, p.a2.Email, "correct horse battery", c, policy)
	wantCode(t, err, "sign_in_throttled")
	if _, _, _, err := p.acc.SignIn(p.ctx, p.a2.Email, "correct horse battery", client(t), policy); err != nil {
		t.Fatalf("another client: %v", err)
	}
}

// A deactivated user cannot sign in, loses their sessions and tokens, and gets no links.
func TestDeactivatedUserLosesSessions(t *testing.T) {
	p := newPeople(t)
	p.password(p.a1, "correct horse battery")
	_, secret, _, err := p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", client(t), policy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.acc.Deactivate(p.ctx, p.adminA, p.a1.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, secret, policy); err == nil {
		t.Fatal("session survived deactivation")
	}
	_, _, _, err = p.acc.SignIn(p.ctx, p.a1.Email, "correct horse battery", client(t), policy)
	wantCode(t, err, "invalid_credentials")
	if _, _, ok, err := p.acc.RequestLink(p.ctx, p.a1.Email); ok || err != nil {
		t.Fatalf("link for a deactivated user: %v %v", ok, err)
	}
	if _, err := p.acc.Authenticate(p.ctx, p.tokens[p.a1.ID]); err == nil {
		t.Fatal("token survived deactivation")
	}
}

// A sign-in link works once, for 15 minutes, for customers only, and only while the user keeps
// the address it was sent to.
func TestSignInLink(t *testing.T) {
	p := newPeople(t)
	if _, _, ok, err := p.acc.RequestLink(p.ctx, "nobody-"+t.Name()+"@x.example"); ok || err != nil {
		t.Fatalf("unknown address: %v %v", ok, err)
	}
	if _, _, ok, _ := p.acc.RequestLink(p.ctx, p.engineer.Email); ok {
		t.Fatal("staff got a sign-in link")
	}
	_, tok, ok, err := p.acc.RequestLink(p.ctx, p.a1.Email)
	if !ok || err != nil {
		t.Fatalf("link: %v %v", ok, err)
	}
	u, secret, sess, err := p.acc.UseLink(p.ctx, tok, client(t), policy)
	if err != nil || u.ID != p.a1.ID || sess.Method != "link" {
		t.Fatalf("use: %v", err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, secret, policy); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = p.acc.UseLink(p.ctx, tok, client(t), policy)
	wantCode(t, err, "invalid_link")

	_, tok, _, _ = p.acc.RequestLink(p.ctx, p.a2.Email)
	p.clock.Advance(accounts.LinkTTL)
	_, _, _, err = p.acc.UseLink(p.ctx, tok, client(t), policy)
	wantCode(t, err, "invalid_link")
	// At most three links per address per window (the expired one is out of it now).
	for i := 0; i < 3; i++ {
		if _, _, ok, _ := p.acc.RequestLink(p.ctx, p.a2.Email); !ok {
			t.Fatalf("link %d refused", i+1)
		}
	}
	if _, _, ok, _ := p.acc.RequestLink(p.ctx, p.a2.Email); ok {
		t.Fatal("fourth link in the window")
	}
}

// Users change their own password with the current one; admins and org admins set others',
// which ends the user's sessions; an org admin cannot reach another organisation's user.
func TestSetPassword(t *testing.T) {
	p := newPeople(t)
	wantCode(t, p.acc.SetPassword(p.ctx, p.a1, p.a1.ID, "", "short", nil), "invalid_value")
	if err := p.acc.SetPassword(p.ctx, p.a1, p.a1.ID, "", "first password!", nil); err != nil {
		t.Fatalf("first own password (signed in by link): %v", err)
	}
	_, keep, sk, _ := p.acc.SignIn(p.ctx, p.a1.Email, "first password!", client(t), policy)
	_, other, _, _ := p.acc.SignIn(p.ctx, p.a1.Email, "first password!", client(t), policy)
	wantCode(t, p.acc.SetPassword(p.ctx, p.a1, p.a1.ID, "bad guess here", "second password!", &sk.ID), "wrong_password")
	if err := p.acc.SetPassword(p.ctx, p.a1, p.a1.ID, "first password!", "second password!", &sk.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, keep, policy); err != nil {
		t.Fatalf("the session that changed the password ended: %v", err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, other, policy); err == nil {
		t.Fatal("other sessions survive a password change")
	}
	wantCode(t, p.acc.SetPassword(p.ctx, p.adminB, p.a1.ID, "", "third password!", nil), "not_found")
	wantCode(t, p.acc.SetPassword(p.ctx, p.a2, p.a1.ID, "", "third password!", nil), "not_found")
	if err := p.acc.SetPassword(p.ctx, p.adminA, p.a1.ID, "", "third password!", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.acc.ResumeSession(p.ctx, keep, policy); err == nil {
		t.Fatal("sessions survive a password set by an admin")
	}
	if _, _, _, err := p.acc.SignIn(p.ctx, p.a1.Email, "third password!", client(t), policy); err != nil {
		t.Fatal(err)
	}
}

package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/web"
)

func oidcSite(t *testing.T) (*site, *provider) {
	p := newProvider(t)
	s := newSite(t, func(d *web.Deps) {
		d.OIDC = web.OIDCConfig{Issuer: p.URL, ClientID: p.client, ClientSecret: p.secret}
	})
	return s, p
}

func yes() *bool { v := true; return &v }

// TestOIDCSignIn: a staff member signed in at the provider reaches their start page with a
// session marked as OIDC; the code exchange used PKCE; the sign-in page offers the button.
func TestOIDCSignIn(t *testing.T) {
	s, p := oidcSite(t)
	has(t, s.browser().get("/signin"), `href="/signin/oidc?next=%2f"`, "Staff: sign in with your company account")
	p.signIn(strings.ToUpper(s.engineer.Email), yes()) // addresses match whatever their case
	b := s.browser()
	got := b.get("/signin/oidc?next=/account")
	if got.status != 200 || got.url != "/account" {
		t.Fatalf("after OIDC sign-in: %d at %s\n%s", got.status, got.url, got.body)
	}
	has(t, got, s.engineer.Name)
	if p.pkce != 1 {
		t.Fatalf("PKCE-verified exchanges: %d", p.pkce)
	}
	has(t, b.get("/sessions"), "Company account (OIDC)")
	// The state cookie is spent: replaying the callback URL signs no one in.
	if c := b.c.Jar.Cookies(mustURL(s.base)); strings.Contains(cookieNames(c), "supportd_oidc") {
		t.Fatalf("the OIDC cookie outlived the callback: %v", c)
	}
}

// TestOIDCRefusals: the provider's word is taken only for an active staff user's verified
// address, with the nonce, audience and signature of this sign-in; anything else leaves the
// browser signed out with a message.
func TestOIDCRefusals(t *testing.T) {
	s, p := oidcSite(t)
	no := false
	deactivated := s.mkStaff("gone", accounts.Engineer)
	if _, err := s.e.Accounts.Deactivate(s.ctx, s.admin, deactivated.ID); err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, email, want string
		verified          *bool
		tamper            func()
	}{
		{"a customer", s.member.Email, "matches no active staff user", yes(), nil},
		{"an unknown address", "nobody@elsewhere.example", "matches no active staff user", yes(), nil},
		{"a deactivated staff member", deactivated.Email, "matches no active staff user", yes(), nil},
		{"an unverified address", s.engineer.Email, "did not complete", &no, nil},
		{"another nonce", s.engineer.Email, "did not complete", yes(), func() { p.nonce = "replayed-nonce" }},
		{"another audience", s.engineer.Email, "did not complete", yes(), func() { p.audience = "someone-else" }},
		{"a forged signature", s.engineer.Email, "did not complete", yes(), func() { p.signer = other }},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.mu.Lock()
			p.nonce, p.audience, p.signer = "", "", nil
			p.mu.Unlock()
			if c.tamper != nil {
				p.mu.Lock()
				c.tamper()
				p.mu.Unlock()
			}
			p.signIn(c.email, c.verified)
			b := s.browser()
			got := b.get("/signin/oidc")
			if got.status != 401 {
				t.Fatalf("%d at %s", got.status, got.url)
			}
			has(t, got, c.want)
			if p := b.get("/account"); p.url != "/signin" {
				t.Fatalf("signed in after a refusal: %s", p.url)
			}
		})
	}
	t.Run("a forged state", func(t *testing.T) {
		p.mu.Lock()
		p.nonce, p.audience, p.signer = "", "", nil
		p.mu.Unlock()
		p.signIn(s.engineer.Email, yes())
		exchanged := p.pkce
		b := s.browser()
		// Stop at the provider's answer and come back with someone else's state.
		b.c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
			if strings.HasPrefix(r.URL.Path, "/signin/oidc/callback") {
				return http.ErrUseLastResponse
			}
			return nil
		}
		res := b.get("/signin/oidc")
		loc := res.header.Get("Location")
		if !strings.Contains(loc, "state=") {
			t.Fatalf("no redirect back: %d %s", res.status, loc)
		}
		u := mustURL(loc)
		q := u.Query()
		q.Set("state", "attacker-state")
		b.c.CheckRedirect = nil
		got := b.get("/signin/oidc/callback?" + q.Encode())
		if got.status != 401 {
			t.Fatalf("forged state: %d at %s", got.status, got.url)
		}
		if p.pkce != exchanged {
			t.Fatalf("a code was exchanged for a forged state")
		}
	})
}

// TestOIDCOff: without configuration there is no button and no OIDC route.
func TestOIDCOff(t *testing.T) {
	s := newSite(t)
	lacks(t, s.browser().get("/signin"), "/signin/oidc")
	if p := s.browser().get("/signin/oidc"); p.status != 404 {
		t.Fatalf("unconfigured OIDC: %d", p.status)
	}
}

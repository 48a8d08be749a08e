package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
)

// Every demo user gets a printed password that signs in on the web; a second start prints the
// same ones and leaves the browser sessions of the first alive.
func TestSeedDemoPasswordsStay(t *testing.T) {
	ctx := context.Background()
	cfg, err := FromEnv(func(k string) string {
		return map[string]string{"DATABASE_URL": testenv.FreshDatabase(t), "REDIS_URL": testenv.Redis(t).URL,
			"SUPPORT_ADMIN_TOKEN": "seed-password-test-admin-token"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Open(ctx, cfg, NewLogger(cfg, &bytes.Buffer{}), clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	policy := accounts.SessionPolicy{Idle: 1 << 40, Absolute: 1 << 40}
	seed := func() map[string]string {
		var out bytes.Buffer
		if err := e.SeedDemo(ctx, &out); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		head := -1
		for _, l := range strings.Split(out.String(), "\n") {
			f := strings.Fields(l)
			if len(f) > 0 && f[0] == "ROLE" {
				head = len(f) - 2 // PASSWORD, then TOKEN: the last two columns
				if f[len(f)-2] != "PASSWORD" || f[len(f)-1] != "TOKEN" {
					t.Fatalf("demo user columns: %q", f)
				}
				continue
			}
			if head >= 0 && len(f) >= 2 && strings.Contains(f[1], "@") {
				got[f[1]] = f[len(f)-2]
			}
		}
		return got
	}
	first := seed()
	if len(first) != 1+5+6 {
		t.Fatalf("%d demo users with passwords", len(first))
	}
	sessions := map[string]string{}
	for email, pw := range first {
		_, secret, _, err := e.Accounts.SignIn(ctx, email, pw, accounts.Client{IP: "seed-test"}, policy)
		if err != nil {
			t.Fatalf("%s cannot sign in with the printed password: %v", email, err)
		}
		sessions[email] = secret
	}
	second := seed()
	for email, pw := range first {
		if second[email] != pw {
			t.Fatalf("%s got another password on the second seed", email)
		}
		u, _, err := e.Accounts.ResumeSession(ctx, sessions[email], policy)
		if err != nil || u.Email != email {
			t.Fatalf("%s's browser session did not survive the second seed: %q, %v", email, u.Email, err)
		}
	}
	if demoPassword("another admin token", "admin@example.com") == demoPassword(cfg.AdminToken, "admin@example.com") {
		t.Fatal("the demo passwords do not depend on the admin token")
	}
}

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

// Every demo user gets a printed password that signs in on the web; a second start prints new
// ones and the old ones stop working.
func TestSeedDemoPasswordsSignIn(t *testing.T) {
	ctx := context.Background()
	cfg, err := FromEnv(func(k string) string {
		return map[string]string{"DATABASE_URL": testenv.Postgres(t), "REDIS_URL": testenv.Redis(t).URL,
			"SUPPORT_ADMIN_TOKEN": "seed-test-admin-token"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := Open(ctx, cfg, NewLogger(cfg, &bytes.Buffer{}), clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.SeedDemo(ctx, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	policy := accounts.SessionPolicy{Idle: 1 << 40, Absolute: 1 << 40}
	seed := func() map[string]string {
		var out bytes.Buffer
		if err := e.SeedDemoPasswords(ctx, &out); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		for _, l := range lines[2:] { // a heading and the column names
			f := strings.Fields(l)
			got[f[1]] = f[2]
		}
		return got
	}
	first := seed()
	if len(first) != 1+5+6 {
		t.Fatalf("%d demo users with passwords", len(first))
	}
	for email, pw := range first {
		if _, _, _, err := e.Accounts.SignIn(ctx, email, pw, accounts.Client{IP: "seed-test"}, policy); err != nil {
			t.Fatalf("%s cannot sign in with the printed password: %v", email, err)
		}
	}
	second := seed()
	for email, pw := range first {
		if second[email] == pw {
			t.Fatalf("%s got the same password twice", email)
		}
	}
}

package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestSeedDemoIsRepeatable: `supportd dev` seeds on every start; the second start must find the
// demo as the first left it and print working tokens again.
func TestSeedDemoIsRepeatable(t *testing.T) {
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
	var out bytes.Buffer
	for i := 0; i < 2; i++ {
		out.Reset()
		if err := e.SeedDemo(ctx, &out); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
	var orgs, ents int64
	e.DB.Raw("SELECT count(*) FROM organizations WHERE name IN ('Sakura Trading','Fuji Logistics','Kaede Clinic')").Scan(&orgs)
	e.DB.Raw("SELECT count(*) FROM entitlements").Scan(&ents)
	if orgs != 3 || ents != 9 {
		t.Fatalf("%d demo organisations, %d entitlements after two seeds; want 3 and 9", orgs, ents)
	}
	var groups, members int64
	e.DB.Raw("SELECT count(*) FROM groups").Scan(&groups)
	e.DB.Raw("SELECT count(*) FROM group_members").Scan(&members)
	if groups != 1 || members != 2 {
		t.Fatalf("%d demo groups with %d members after two seeds; want 1 with 2", groups, members)
	}
	// Every printed token works.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")[1:]
	for _, l := range lines {
		f := strings.Fields(l)
		if _, err := e.Accounts.Authenticate(ctx, f[len(f)-1]); err != nil {
			t.Fatalf("printed token for %s does not authenticate: %v", f[1], err)
		}
	}
	if len(lines) != 1+5+6 {
		t.Fatalf("%d demo users printed", len(lines))
	}
}

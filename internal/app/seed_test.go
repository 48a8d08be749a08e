package app

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// failedStatements records every statement that failed, which the server would log as an ERROR
// (a duplicate key on a re-seed was thirty lines of them).
type failedStatements struct {
	logger.Interface
	mu   sync.Mutex
	errs []string
}

func (f *failedStatements) Trace(_ context.Context, _ time.Time, sql func() (string, int64), err error) {
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) { // a look-up that found nothing is no failure
		s, _ := sql()
		f.mu.Lock()
		f.errs = append(f.errs, err.Error()+": "+s)
		f.mu.Unlock()
	}
}

// TestSeedDemoIsRepeatable: `supportd dev` seeds on every start; the second start finds the demo
// as the first left it, makes no statement fail, and prints exactly the same thing: the same
// working tokens, who is senior and who the TSAM is, each organisation's tier and products, and
// the database to reach.
func TestSeedDemoIsRepeatable(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.FreshDatabase(t)
	cfg, err := FromEnv(func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REDIS_URL": testenv.Redis(t).URL,
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
	rec := &failedStatements{Interface: logger.Discard}
	e.DB.Logger = rec
	var outs [2]string
	for i := range outs {
		var out bytes.Buffer
		if err := e.SeedDemo(ctx, &out); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		outs[i] = out.String()
	}
	if len(rec.errs) > 0 {
		t.Fatalf("%d statements failed while seeding, first: %s", len(rec.errs), rec.errs[0])
	}
	if outs[0] != outs[1] {
		t.Fatalf("the second seed printed something else:\n%s\n---\n%s", outs[0], outs[1])
	}
	var orgs, ents, tokens int64
	e.DB.Raw("SELECT count(*) FROM organizations WHERE name IN ('Sakura Trading','Fuji Logistics','Kaede Clinic')").Scan(&orgs)
	e.DB.Raw("SELECT count(*) FROM entitlements").Scan(&ents)
	e.DB.Raw("SELECT count(*) FROM tokens").Scan(&tokens)
	if orgs != 3 || ents != 9 || tokens != 1+5+6 {
		t.Fatalf("%d demo organisations, %d entitlements, %d tokens after two seeds; want 3, 9 and 12", orgs, ents, tokens)
	}
	var groups, members int64
	e.DB.Raw("SELECT count(*) FROM groups").Scan(&groups)
	e.DB.Raw("SELECT count(*) FROM group_members").Scan(&members)
	if groups != 1 || members != 2 {
		t.Fatalf("%d demo groups with %d members after two seeds; want 1 with 2", groups, members)
	}
	out := outs[1]
	for _, want := range []string{
		"Sakura Trading", "platinum", "mei.manager@vendor.example  endpoint (platinum, active), firewall (platinum, expired), mail-security (standard, grace)",
		"Fuji Logistics", "premium", "Kaede Clinic", "standard",
		"senior", "TSAM of Sakura Trading", "group Incident response",
		"psql 'postgres://",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("printout lacks %q:\n%s", want, out)
		}
	}
	// Every printed token works, for the user it is printed beside.
	users := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 || !strings.Contains(f[1], "@") || f[0] == "ROLE" {
			continue
		}
		users++
		u, err := e.Accounts.Authenticate(ctx, f[len(f)-1])
		if err != nil || u.Email != f[1] {
			t.Fatalf("printed token for %s authenticates %q (%v)", f[1], u.Email, err)
		}
	}
	if users != 1+5+6 {
		t.Fatalf("%d demo users printed:\n%s", users, out)
	}
}

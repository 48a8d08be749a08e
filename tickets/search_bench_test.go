package tickets_test

import (
	"context"
	"fmt"
	"github.com/supportd/supportd/tickets/ticketstest"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
)

// BenchmarkSearch100k: text search (q) over 100,000 incidents of one organisation, as its
// customer and as staff (who see every organisation's): a rare Japanese word (1 incident in
// 1,000), a common one (every incident) and a reference. ILIKE on title and description, no
// text index: a page of 50 newest-first matches is found by walking the created_at index.
func BenchmarkSearch100k(b *testing.B) {
	ctx := context.Background()
	db := testenv.DB(b)
	acc := accounts.NewStore(db, clock.Real{})
	admin, err := acc.BootstrapAdmin(ctx, "bench-admin-token-xxxxxxxxxxxx")
	if err != nil {
		b.Fatal(err)
	}
	tag := time.Now().UnixNano()
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: fmt.Sprintf("Search bench %d", tag), Tier: "premium"})
	if err != nil {
		b.Fatal(err)
	}
	member, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("search-%d@bench.example", tag), Name: "m",
		Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		b.Fatal(err)
	}
	staff, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("search-e-%d@bench.example", tag), Name: "e",
		Role: accounts.Engineer})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO incidents (id, reference, organization_id, product, title, description, tier, severity,
			status, channel, opened_by, accepted_at, created_at, updated_at)
		SELECT gen_random_uuid(), 'BENCH-' || ? || '-' || g, ?, 'endpoint',
			CASE WHEN g % 1000 = 0 THEN 'VPN が毎朝切断される ' || g ELSE 'ライセンス数の表示が正しくない ' || g END,
			'管理コンソールで確認しました。' || g, 'premium', 3, 'new', 'web', ?,
			now() - g * interval '1 second', now() - g * interval '1 second', now()
		FROM generate_series(1, 100000) g`, fmt.Sprint(tag), org.ID, member.ID).Error; err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Exec(`DELETE FROM incidents WHERE organization_id = ?`, org.ID) })
	if err := db.Exec(`ANALYZE incidents`).Error; err != nil {
		b.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: acc}, Users: acc, Clock: clock.Real{}})
	for _, c := range []struct {
		name string
		who  accounts.User
		q    string
		want int
	}{
		{"customer/rare", member, "切断", 50},
		{"customer/common", member, "ライセンス", 50},
		{"customer/reference", member, fmt.Sprintf("BENCH-%d-500", tag), 1},
		{"staff/rare", staff, "切断", 50},
		{"staff/reference", staff, fmt.Sprintf("bench-%d-500", tag), 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				page, err := svc.List(ctx, c.who, tickets.Filter{Search: c.q, Limit: 50})
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Items) != c.want {
					b.Fatalf("%d results, want %d", len(page.Items), c.want)
				}
			}
		})
	}
}

package main

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/testenv"
)

// TestEveryGrowingListPages walks every list that can grow, two items a page, through a real
// `supportd serve`: each item exactly once and in the order of the one-page answer, next_cursor
// on every page but the last, and a foreign cursor or a limit out of range is a 422 naming it.
// GET /v1/escalations used to stop at 500 rows with no way to the rest.
func TestEveryGrowingListPages(t *testing.T) {
	dsn := testenv.FreshDatabase(t)
	p := start(t, "DATABASE_URL="+dsn)
	sfx := fmt.Sprintf("paging-%d", time.Now().UnixNano())
	w := setup(t, p, sfx)
	db := testenv.OpenDB(t, dsn)
	mgrID := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": "mgr-" + sfx + "@vendor.example", "name": "M", "role": "support_manager", "office": "tokyo"}).str("id")
	mgr := p.must(201, "POST", "/v1/users/"+mgrID+"/tokens", adminToken, nil).str("token")

	var members []string
	for i := 0; i < 3; i++ {
		members = append(members, p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": fmt.Sprintf("u%d-%s@acme.example", i, sfx), "name": "U", "role": "member", "organization_id": w.orgA}).str("id"))
		p.must(201, "POST", "/v1/groups", adminToken, map[string]any{"name": fmt.Sprintf("Team %c", 'C'-i), "organization_id": w.orgA})
		p.must(201, "POST", "/v1/webhooks", adminToken, map[string]any{"url": fmt.Sprintf("https://hooks.example.com/%d", i), "events": []string{"escalation"}})
		p.must(201, "POST", "/v1/organizations/"+w.orgA+"/entitlements", adminToken, map[string]any{
			"product": fmt.Sprintf("addon-%d", i), "tier": "premium", "license_type": "subscription",
			"starts_at": time.Now().AddDate(0, -1, -i), "ends_at": time.Now().AddDate(1, 0, 0), "serial_number": fmt.Sprintf("SN-ADD-%d-%s", i, sfx[len(sfx)-6:])})
		if r := p.call("POST", "/v1/incidents", w.memberA, map[string]any{"product": "not-covered", "title": "refused"}); r.Status != 403 {
			t.Fatalf("refused intake: %d %s", r.Status, r.Raw)
		}
	}
	var incs []string
	for i := 0; i < 3; i++ {
		incs = append(incs, openSev1(t, p, w, fmt.Sprintf("paged %d", i)))
	}
	inc := incs[0]
	p.must(200, "POST", "/v1/incidents/"+inc+"/assign", w.engineer, nil)
	p.must(200, "POST", "/v1/incidents/"+inc+"/acknowledge", w.engineer, map[string]any{"message": "on it"})
	for i := 0; i < 3; i++ {
		p.must(200, "POST", "/v1/incidents/"+inc+"/updates", w.engineer, map[string]any{"body": fmt.Sprintf("update %d", i), "public": true})
	}
	// Escalations, inbox notifications and credits come from deadlines; rows stand in for them
	// here (the test's own database). Two of each share a time, so the ID must break the tie.
	var entID string
	if err := db.Raw("SELECT id::text FROM entitlements WHERE organization_id = ? AND product = 'endpoint'", w.orgA).Scan(&entID).Error; err != nil {
		t.Fatal(err)
	}
	base := time.Now().UTC().Truncate(time.Second)
	for i, id := range incs {
		at := base.Add(time.Duration(min(i, 1)) * time.Second)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO escalations (id, incident_id, level, recipient_id, reason, created_at) VALUES (?, ?, 1, ?, 'deadline', ?)`,
				[]any{uuid.Must(uuid.NewV7()), id, mgrID, at}},
			{`INSERT INTO notifications (id, recipient_id, channel, kind, incident_id, subject, dedup_key, state, next_attempt_at, created_at)
				VALUES (?, ?, 'inbox', 'escalation', ?, 's', ?, 'delivered', ?, ?)`,
				[]any{uuid.Must(uuid.NewV7()), mgrID, id, "paging:" + id, at, at}},
			{`INSERT INTO sla_credits (id, organization_id, incident_id, entitlement_id, target, severity, due_at, amount, created_at)
				VALUES (?, ?, ?, ?, 'first_response', 1, ?, 1, ?)`,
				[]any{uuid.Must(uuid.NewV7()), w.orgA, id, entID, at, at}},
		} {
			if err := db.Exec(q.sql, q.args...).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	// Mail rows: messages, mailboxes, undeliverable addresses, an incident's files and followers,
	// again with ties on time (two files of one mail share it, told apart by their ordinal).
	msgID := uuid.Must(uuid.NewV7())
	for i := 0; i < 3; i++ {
		at := base.Add(time.Duration(min(i, 1)) * time.Second)
		id := uuid.Must(uuid.NewV7())
		if i == 0 {
			id = msgID
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO inbound_messages (id, source, dedup_key, raw, size, received_at) VALUES (?, 'api', ?, '', 0, ?)`,
				[]any{id, fmt.Sprintf("paging-%d-%s", i, sfx), at}},
			{`INSERT INTO mailboxes (id, name, default_product, created_at, updated_at) VALUES (?, ?, 'endpoint', ?, ?)`,
				[]any{uuid.Must(uuid.NewV7()), fmt.Sprintf("Box %d %s", i, sfx), at, at}},
			{`INSERT INTO mail_addresses (address, undeliverable_at) VALUES (?, ?)`, []any{fmt.Sprintf("gone%d-%s@acme.example", i, sfx), at}},
			{`INSERT INTO incident_attachments (id, incident_id, inbound_message_id, ordinal, filename, size, data, created_at) VALUES (?, ?, ?, ?, 'f.txt', 1, 'x', ?)`,
				[]any{uuid.Must(uuid.NewV7()), inc, msgID, 2 - i, base}},
			{`INSERT INTO incident_followers (incident_id, user_id, added_by, added_at) VALUES (?, ?, ?, ?)`, []any{inc, members[i], members[i], at}},
		} {
			if err := db.Exec(q.sql, q.args...).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	period := "from=" + url.QueryEscape(base.Add(-time.Hour).Format(time.RFC3339)) + "&to=" + url.QueryEscape(base.Add(time.Hour).Format(time.RFC3339))

	lists := []struct {
		token, path, key string
		atLeast          int
		idKey            string // "id" when empty
	}{
		{mgr, "/v1/escalations", "items", 3, ""},
		{mgr, "/v1/notifications", "items", 3, ""},
		{adminToken, "/v1/credits?organization_id=" + w.orgA + "&" + period, "items", 3, ""},
		{w.memberA, "/v1/incidents/" + inc + "/timeline", "events", 5, ""},
		{w.engineer, "/v1/intake-rejections", "items", 3, ""},
		{adminToken, "/v1/organizations/" + w.orgA + "/users", "items", 4, ""},
		{adminToken, "/v1/groups?organization_id=" + w.orgA, "items", 3, ""},
		{adminToken, "/v1/webhooks", "items", 3, ""},
		{adminToken, "/v1/organizations/" + w.orgA + "/entitlements", "items", 4, ""},
		{w.memberA, "/v1/incidents", "items", 3, ""},
		{w.engineer, "/v1/inbound-messages", "items", 3, ""},
		{w.engineer, "/v1/mail/undeliverable", "items", 3, "address"},
		{w.memberA, "/v1/incidents/" + inc + "/attachments", "items", 3, ""},
		{w.memberA, "/v1/incidents/" + inc + "/followers", "items", 3, "user_id"},
		{adminToken, "/v1/mailboxes", "items", 3, ""},
		{w.engineer, "/v1/staff", "items", 3, ""},
	}
	for _, l := range lists {
		name := strings.SplitN(l.path, "?", 2)[0]
		for _, id := range []string{w.orgA, inc} {
			name = strings.ReplaceAll(name, id, "{id}")
		}
		t.Run(name, func(t *testing.T) {
			sep := "?"
			if strings.Contains(l.path, "?") {
				sep = "&"
			}
			ids := func(r reply) []string {
				var out []string
				key := l.idKey
				if key == "" {
					key = "id"
				}
				for _, x := range r.Body[l.key].([]any) {
					out = append(out, fmt.Sprint(x.(map[string]any)[key]))
				}
				return out
			}
			whole := p.must(200, "GET", l.path+sep+"limit=200", l.token, nil)
			want := ids(whole)
			if len(want) < l.atLeast || whole.Body["next_cursor"] != nil {
				t.Fatalf("one page of 200: %d items, next_cursor %v; want at least %d and none", len(want), whole.Body["next_cursor"], l.atLeast)
			}
			var got []string
			cursor := ""
			for pages := 0; ; pages++ {
				q := l.path + sep + "limit=2"
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				r := p.must(200, "GET", q, l.token, nil)
				items := ids(r)
				if len(items) > 2 || pages > len(want) {
					t.Fatalf("page %d has %d items", pages, len(items))
				}
				got = append(got, items...)
				next, _ := r.Body["next_cursor"].(string)
				if next == "" {
					break
				}
				if len(items) != 2 {
					t.Fatalf("a short page (%d) is not the last", len(items))
				}
				cursor = next
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("paged %v\nwhole %v", got, want)
			}
			for _, bad := range []struct{ query, field string }{{"cursor=bm90LWlzc3VlZA", "cursor"}, {"limit=0", "limit"}, {"limit=201", "limit"}} {
				if r := p.call("GET", l.path+sep+bad.query, l.token, nil); r.Status != 422 || r.errField() != bad.field {
					t.Errorf("%s: %d %s, want 422 naming %s", bad.query, r.Status, r.Raw, bad.field)
				}
			}
		})
	}
}

package escalation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
)

// TestEscalationsPageThroughAll: a manager with more escalations than the old fixed cap of 500
// pages through every one of them, newest first, each once; acknowledging the oldest still finds
// it; a cursor the server did not issue is a 422.
func TestEscalationsPageThroughAll(t *testing.T) {
	f := newFixture(t, 1)
	mgr := f.users[0]
	const n = 520
	org, opener := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	now := f.clock.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.db.Exec(`INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`, org, "paging "+f.run, now, now).Error)
	must(f.db.Exec(`INSERT INTO users (id, email, name, role, organization_id, created_at, updated_at) VALUES (?, ?, 'opener', 'member', ?, ?, ?)`,
		opener, "opener-"+f.run+"@example.test", org, now, now).Error)
	want := make([]uuid.UUID, n) // newest first
	for i := 0; i < n; i++ {
		inc, esc := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		at := now.Add(time.Duration(i/2) * time.Second) // pairs share a time: the ID breaks the tie
		must(f.db.Exec(`INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, opened_by, accepted_at, created_at, updated_at)
			VALUES (?, ?, ?, 'endpoint', 't', 'platinum', 1, 'new', 'web', ?, ?, ?, ?)`, inc, fmt.Sprintf("PAGE-%s-%d", f.run, i), org, opener, at, at, at).Error)
		must(f.db.Exec(`INSERT INTO escalations (id, incident_id, level, recipient_id, reason, created_at) VALUES (?, ?, 1, ?, 'deadline', ?)`,
			esc, inc, mgr.ID, at).Error)
		want[n-1-i] = esc
	}
	es := escalation.NewEscalations(f.store, tickets.NewStore(f.db))
	var got []uuid.UUID
	req := page.Request{Limit: 200}
	for pages := 0; ; pages++ {
		items, next, err := es.Mine(f.ctx, mgr.ID, false, req)
		must(err)
		if len(items) > 200 {
			t.Fatalf("page of %d items, limit 200", len(items))
		}
		for _, e := range items {
			got = append(got, e.ID)
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cur, err := page.ParseCursor(next)
		must(err)
		req.Cursor = &cur
	}
	if len(got) != n {
		t.Fatalf("paged through %d escalations, want %d", len(got), n)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("item %d is %s, want %s (newest first, each once)", i, got[i], want[i])
		}
	}
	if e, err := es.Acknowledge(f.ctx, mgr.ID, want[n-1], now); err != nil || e.AcknowledgedAt == nil {
		t.Fatalf("acknowledging the oldest of %d: %+v %v", n, e, err)
	}
	if _, _, err := es.Mine(f.ctx, mgr.ID, false, page.Request{Limit: 201}); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("limit 201: %v", err)
	}
	bad := page.Cursor{At: now, ID: "not-a-uuid"}
	if _, _, err := es.Mine(f.ctx, mgr.ID, false, page.Request{Cursor: &bad}); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("foreign cursor: %v", err)
	}
}

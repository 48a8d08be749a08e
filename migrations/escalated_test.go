package migrations_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/migrations"
)

// TestEscalatedNotBreached: rows written before 00014 said "breached" for escalation targets and
// named no cause; after it they say "escalated" with the cause, and response targets keep theirs.
func TestEscalatedNotBreached(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", testenv.FreshDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Roll back to just before 00014, whatever later migrations exist.
	for applied(t, db, "00014_") {
		if err := migrations.Down(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('00000000-0000-0000-0000-0000000000a1', 'm14', now(), now())`)
	exec(`INSERT INTO users (id, email, name, role, organization_id, created_at, updated_at)
		VALUES ('00000000-0000-0000-0000-0000000000b1', 'm14@example', 'm', 'member', '00000000-0000-0000-0000-0000000000a1', now(), now())`)
	exec(`INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, opened_by, accepted_at, created_at, updated_at)
		VALUES ('00000000-0000-0000-0000-0000000000c1', 'INC-M14', '00000000-0000-0000-0000-0000000000a1', 'p', 't', 'platinum', 2, 'new', 'web',
		'00000000-0000-0000-0000-0000000000b1', now(), now(), now())`)
	inc := "00000000-0000-0000-0000-0000000000c1"
	for _, tm := range []struct{ id, target, state, outcome string }{
		{"00000000-0000-0000-0000-0000000000d1", "support_manager", "cancelled", "breached"},
		{"00000000-0000-0000-0000-0000000000d2", "first_response", "fired", "breached"},
		{"00000000-0000-0000-0000-0000000000d3", "executive", "fired", "escalated"},
	} {
		exec(`INSERT INTO sla_timers (id, incident_id, target, due_at, state, outcome, created_at) VALUES ($1, $2, $3, now(), $4, $5, now())`,
			tm.id, inc, tm.target, tm.state, tm.outcome)
	}
	exec(`INSERT INTO incident_events (incident_id, kind, at, data) VALUES
		($1, 'escalated', now(), '{"level": 2, "reason": "customer_request"}'),
		($1, 'escalated', now(), '{"level": 1, "reason": "deadline", "target": "support_manager",
			"explanation": ["policy premium v1, severity 1, support_manager: 2h on 24x7", "Mon 2026-06-01 12:00 UTC: breached (not met in time)"]}'),
		($1, 'sla_planned', now(), '{"planned": [], "stopped": [{"target": "first_response", "state": "breached"},
			{"target": "support_manager", "state": "breached"}, {"target": "update_cadence", "state": "met"}]}')`, inc)

	if err := migrations.Up(ctx, db, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := db.QueryContext(ctx, `SELECT target || '=' || outcome FROM sla_timers WHERE incident_id = $1 ORDER BY id`, inc)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT kind || ' ' || (data - 'planned')::text FROM incident_events WHERE incident_id = $1 ORDER BY id`, inc)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		got = append(got, s)
	}
	rows.Close()
	want := []string{
		"support_manager=escalated", "first_response=breached", "executive=escalated",
		`escalated {"cause": "request", "level": 2, "reason": "customer_request"}`,
		`escalated {"cause": "deadline", "level": 1, "reason": "deadline", "target": "support_manager", "explanation": ["policy premium v1, severity 1, support_manager: 2h on 24x7", "Mon 2026-06-01 12:00 UTC: escalated (deadline reached)"]}`,
		`sla_planned {"stopped": [{"state": "breached", "target": "first_response"}, {"state": "escalated", "target": "support_manager"}, {"state": "met", "target": "update_cadence"}]}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("after 00014:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func applied(t *testing.T, db *sql.DB, file string) bool {
	t.Helper()
	var st bytes.Buffer
	if err := migrations.Status(context.Background(), db, &st); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(st.String(), "\n") {
		if strings.Contains(l, file) {
			return strings.Contains(l, "applied")
		}
	}
	t.Fatalf("no migration %s", file)
	return false
}

package replay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// ev is one recorded timeline entry, at a time after the incident's acceptance.
type ev struct {
	after time.Duration
	kind  string
	data  map[string]any
}

// fixture stores incidents and their timelines as the engine records them.
type fixture struct {
	t     *testing.T
	db    *gorm.DB
	org   uuid.UUID
	user  uuid.UUID
	stamp string
	n     int
}

func newFixture(t *testing.T, db *gorm.DB, c clock.Clock) (*fixture, accounts.User) {
	ctx := context.Background()
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "replay-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	stamp := fmt.Sprint(time.Now().UnixNano())
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "Replayed " + stamp, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, org: org.ID, user: admin.ID, stamp: stamp}, admin
}

// incident stores an incident accepted at acc with severity sev, currently cur, and its events
// (an "opened" event first, as intake records it). It returns the reference.
func (f *fixture) incident(tier string, acc time.Time, sev, cur int, events ...ev) string {
	f.t.Helper()
	f.n++
	id := uuid.Must(uuid.NewV7())
	ref := fmt.Sprintf("RPL-%s-%02d", f.stamp, f.n)
	if err := f.db.Exec(`INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, scope,
		opened_by, accepted_at, created_at, updated_at, policy_version) VALUES (?, ?, ?, 'endpoint', 'replay fixture', ?, ?, 'new', 'web',
		'product', ?, ?, ?, ?, 1)`, id, ref, f.org, tier, cur, f.user, acc, acc, acc).Error; err != nil {
		f.t.Fatal(err)
	}
	all := append([]ev{{0, "opened", map[string]any{"severity": sev, "tier": tier}}}, events...)
	for _, e := range all {
		data := e.data
		if data == nil {
			data = map[string]any{}
		}
		raw, _ := json.Marshal(data)
		if err := f.db.Exec(`INSERT INTO incident_events (incident_id, kind, actor_id, at, data) VALUES (?, ?, ?, ?, ?)`,
			id, e.kind, f.user, acc.Add(e.after), string(raw)).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return ref
}

const (
	m = time.Minute
	h = time.Hour
)

func ack(d time.Duration) ev     { return ev{d, "acknowledged", nil} }
func resolve(d time.Duration) ev { return ev{d, "resolved", nil} }
func update(d time.Duration) ev  { return ev{d, "public_update", map[string]any{"public": true}} }
func wait(from, to time.Duration) []ev {
	return []ev{{from, "wait_started", nil}, {to, "wait_ended", nil}}
}

// sevTo records a severity change as the engine does, with the severity it changed from.
func sevTo(d time.Duration, from, to int) ev {
	return ev{d, "severity_changed", map[string]any{"severity": to, "from": from, "public": true, "reason": "impact"}}
}
func escalated(d time.Duration, level int, reason string) ev {
	return ev{d, "escalated", map[string]any{"level": level, "reason": reason}}
}
func cat(parts ...any) []ev {
	var out []ev
	for _, p := range parts {
		switch p := p.(type) {
		case ev:
			out = append(out, p)
		case []ev:
			out = append(out, p...)
		}
	}
	return out
}

// snapshot is a digest of every row of the tables a replay must never write.
func snapshot(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"incidents", "incident_events", "sla_timers", "escalations"} {
		var s string
		if err := db.Raw(fmt.Sprintf("SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM %s t", table)).Scan(&s).Error; err != nil {
			t.Fatal(err)
		}
		parts = append(parts, table+"="+s)
	}
	return strings.Join(parts, " ")
}

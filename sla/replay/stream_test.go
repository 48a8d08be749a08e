package replay_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
)

// TestStreamHistoriesMatchesEngineReads: what the tickets store streams for a replay
// (StreamHistories: binary rows decoded by hand, no parallel plans) and counts
// (CountStreamHistories) is what the engine itself reads and plans from (engineReads), for every
// kind of planning entry, with and without the engine's own escalations, under each of the
// filter's conditions.
func TestStreamHistoriesMatchesEngineReads(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0.Add(60 * 24 * time.Hour))
	f, admin := newFixture(t, db, c)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
	f.incident("premium", at(1), 2, 1, cat(ack(30*m), sevTo(40*m, 2, 1), update(3*h), wait(4*h, 6*h), resolve(9*h), ev{10 * h, "reopened", nil},
		escalated(11*h, 1, "deadline"), escalated(12*h, 2, "higher_level"), escalated(13*h, 2, "customer_request"))...)
	f.incident("platinum", at(2), 1, 1, cat(ev{10 * m, "remediation_agreed", map[string]any{"due_at": at(30).Format(time.RFC3339Nano)}},
		ev{20 * m, "scope_changed", map[string]any{"scope": "environment"}}, ev{25 * m, "scope_changed", map[string]any{"scope": "product"}},
		ev{26 * m, "note", map[string]any{"body": "not a planning entry"}}, ack(time.Hour))...)
	// An incident without its opened entry (intake always writes one) is not streamed, but
	// counted; its entries must not reach the incidents around it.
	missing := f.incident("premium", at(2), 2, 2, ack(time.Hour), update(2*h), resolve(3*h))
	if err := db.Exec(`DELETE FROM incident_events WHERE kind = 'opened' AND incident_id = (SELECT id FROM incidents WHERE reference = ?)`, missing).Error; err != nil {
		t.Fatal(err)
	}
	f.incident("standard", at(3), 4, 4)
	// Entries recorded out of time order keep their timeline (id) order.
	f.incident("standard", at(4), 3, 3, cat(resolve(5*h), ack(2*h), update(3*h))...)
	// Escalations as the engine records them today, with their cause: by its timer, at a
	// customer's request (after the request entry), and one with neither reason nor cause.
	f.incident("premium", at(5), 1, 1, ack(10*m), escalated(h, 1, "deadline"),
		ev{2 * h, "escalation_requested", map[string]any{"level": 2, "reason": "outage", "public": true}},
		ev{2 * h, "escalated", map[string]any{"level": 2, "reason": "customer_request", "cause": "request", "request": "outage", "public": true}},
		ev{3 * h, "escalated", map[string]any{"level": 1}})
	// One of another organisation.
	acc := accounts.NewStore(db, c)
	org2, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "Replayed elsewhere " + f.stamp, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	other := *f
	other.org, other.stamp = org2.ID, f.stamp+"-other"
	other.incident("platinum", at(6), 2, 1, ack(5*m), sevTo(h, 2, 1), escalated(2*h, 1, "deadline"))
	const recorded = 7

	src := tickets.NewStore(db)
	oracle := newEngineReads(t, db, c, admin)
	all := tickets.HistoryFilter{From: t0, To: at(100)}
	if n := oracle.count(ctx, all); n != recorded {
		t.Fatalf("the engine lists %d incidents, not the %d recorded", n, recorded)
	}
	if hs := oracle.histories(ctx, all, false); len(hs) != recorded-1 {
		t.Fatalf("the engine reads %d histories with their opened entry, not %d", len(hs), recorded-1)
	}
	orgID, nobody := f.org, uuid.Must(uuid.NewV7())
	filters := []tickets.HistoryFilter{all,
		{From: t0, To: at(100), Tier: "standard"},
		{From: at(2), To: at(4)}, // the bounds: [From, To)
		{From: t0, To: at(100), Severity: 1},
		{From: t0, To: at(100), OrganizationID: &orgID},
		{From: t0, To: at(100), OrganizationID: &nobody},
		{From: t0, To: at(100), Product: "  EndPoint "},
		{From: t0, To: at(100), Product: "gateway"},
		{From: at(1), To: at(6), Tier: "premium", Severity: 1, OrganizationID: &orgID, Product: "endpoint"},
	}
	for _, hf := range filters {
		name := fmt.Sprintf("%s..%s tier %q severity %d org %v product %q", hf.From.Format("Jan 2 15:04"), hf.To.Format("Jan 2 15:04"),
			hf.Tier, hf.Severity, hf.OrganizationID, hf.Product)
		for _, byHand := range []bool{true, false} {
			want, got := oracle.histories(ctx, hf, byHand), streamed(t, src, hf, byHand)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, byHandOnly %v:\n got %+v\nwant %+v", name, byHand, got, want)
			}
			for _, h := range got {
				for _, e := range h.Input.Events {
					if e.Cause != "" {
						t.Errorf("%s: %s streamed with cause %q", name, h.Reference, e.Cause)
					}
				}
			}
		}
		want := oracle.count(ctx, hf)
		if got, err := src.CountStreamHistories(ctx, hf); err != nil || got != want {
			t.Errorf("%s: CountStreamHistories = %d, %v; the engine lists %d", name, got, err, want)
		}
	}

	// And the benchmark's histories, a few hundred of them.
	bench := tickets.HistoryFilter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	loadHistories(t, db, 700, bench.From, f.org.String(), f.user.String())
	want, got := oracle.histories(ctx, bench, true), streamed(t, src, bench, true)
	if len(want) != 700 || !reflect.DeepEqual(got, want) {
		t.Errorf("benchmark histories: %d streamed, %d read by the engine (want 700), equal %v", len(got), len(want), reflect.DeepEqual(got, want))
	}
	if n, err := src.CountStreamHistories(ctx, bench); err != nil || n != 700 {
		t.Errorf("benchmark histories: CountStreamHistories = %d, %v; want 700", n, err)
	}
}

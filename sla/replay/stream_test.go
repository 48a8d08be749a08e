package replay_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
)

// TestStreamHistoriesMatchesEachHistory reads the same incidents with both streams of the
// tickets store: StreamHistories (binary rows decoded by hand, no parallel plans) must give
// exactly what EachHistory gives, every kind of planning entry included, with and without the
// engine's own escalations.
func TestStreamHistoriesMatchesEachHistory(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0.Add(60 * 24 * time.Hour))
	f, _ := newFixture(t, db, c)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
	f.incident("premium", at(1), 2, 1, cat(ack(30*m), sevTo(40*m, 2, 1), update(3*h), wait(4*h, 6*h), resolve(9*h), ev{10 * h, "reopened", nil},
		escalated(11*h, 1, "deadline"), escalated(12*h, 2, "higher_level"), escalated(13*h, 2, "customer_request"))...)
	f.incident("platinum", at(2), 1, 1, cat(ev{10 * m, "remediation_agreed", map[string]any{"due_at": at(30).Format(time.RFC3339Nano)}},
		ev{20 * m, "scope_changed", map[string]any{"scope": "environment"}}, ev{25 * m, "scope_changed", map[string]any{"scope": "product"}},
		ev{26 * m, "note", map[string]any{"body": "not a planning entry"}}, ack(time.Hour))...)
	f.incident("standard", at(3), 4, 4)
	// Entries recorded out of time order keep their timeline (id) order.
	f.incident("standard", at(4), 3, 3, cat(resolve(5*h), ack(2*h), update(3*h))...)
	src := tickets.NewStore(db)
	filter := tickets.HistoryFilter{From: t0, To: at(100)}
	read := func(each func(context.Context, tickets.HistoryFilter, bool, func(*tickets.History) error) error, byHand bool) []tickets.History {
		var out []tickets.History
		if err := each(ctx, filter, byHand, func(h *tickets.History) error {
			c := *h
			c.Input.Events = slices.Clone(h.Input.Events)
			out = append(out, c)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, byHand := range []bool{true, false} {
		want, got := read(src.EachHistory, byHand), read(src.StreamHistories, byHand)
		if len(want) != 4 {
			t.Fatalf("EachHistory read %d incidents, not 4", len(want))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("byHandOnly %v:\n got %+v\nwant %+v", byHand, got, want)
		}
	}
	for _, cf := range []tickets.HistoryFilter{filter, {From: t0, To: at(100), Tier: "standard"}, {From: at(2), To: at(4)}} {
		want, err := src.CountHistories(ctx, cf)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := src.CountStreamHistories(ctx, cf); err != nil || got != want {
			t.Errorf("CountStreamHistories(%+v) = %d, %v; CountHistories %d", cf, got, err, want)
		}
	}
	// And the benchmark's histories, a few hundred of them.
	f2 := tickets.HistoryFilter{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	loadHistories(t, db, 700, f2.From, f.org.String(), f.user.String())
	filter = f2
	if want, got := read(src.EachHistory, true), read(src.StreamHistories, true); len(want) != 700 || !reflect.DeepEqual(got, want) {
		t.Errorf("benchmark histories: %d streamed, %d read by EachHistory (want 700), equal %v", len(got), len(want), reflect.DeepEqual(got, want))
	}
}

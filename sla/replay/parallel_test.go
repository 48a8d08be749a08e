package replay_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/replay"
	"github.com/supportd/supportd/tickets"
)

// TestRunParallelMatchesSequential replays the benchmark's histories (a few batches of them) on
// one planner and on several: counts, rows and the changes listed (the first by incident id,
// fewer than changed) must be the same, for a draft policy and for a draft calendar. The rows
// must also be those of planning every incident in full under both policies, one at a time
// (Run plans once where the cells and calendars are the same, and judges the cadence cycles once
// where the cadence is).
func TestRunParallelMatchesSequential(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0.AddDate(1, 1, 0))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "replay-parallel-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "Replay parallel", Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	cg := catalog.New(catalog.NewStore(db), c)
	if err := cg.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 1500
	loadHistories(t, db, n, t0, org.ID.String(), admin.ID.String())
	src := tickets.NewStore(db)
	cals, err := cg.Calendars(ctx)
	if err != nil {
		t.Fatal(err)
	}
	setup := func(policy, calendar string) replay.Setup {
		s := replay.Setup{Now: c.Now(), Calendars: cals, DraftCalendars: cals,
			Draft: map[sla.Tier]sla.Policy{}, MaxChanges: 7,
			Recorded: func(tier sla.Tier, version int) (sla.Policy, error) { return cg.Policy(ctx, tier, version) }}
		for _, tier := range sla.Tiers {
			p, _, err := cg.DraftPolicy(ctx, tier, json.RawMessage(policy))
			if err != nil {
				t.Fatal(err)
			}
			if calendar != "" {
				if p, s.DraftCalendars, err = cg.DraftCalendar(ctx, p, cals, json.RawMessage(calendar)); err != nil {
					t.Fatal(err)
				}
			}
			s.Draft[tier] = p
		}
		return s
	}
	f := tickets.HistoryFilter{From: t0, To: t0.AddDate(1, 0, 0)}
	for name, s := range map[string]replay.Setup{
		"policy": setup(`{"cells": [{"severity": 2, "target": "first_response", "duration": "30m"},
			{"severity": 1, "target": "update_cadence", "duration": "1h"}, {"severity": 1, "target": "executive", "duration": "3h"}]}`, ""),
		"calendar": setup("", `{"time_zone": "Asia/Tokyo", "weekly": {"monday": [{"open": "09:00", "close": "17:00"}]}}`),
	} {
		t.Run(name, func(t *testing.T) {
			s.Workers = 1
			want, err := replay.Run(ctx, src, f, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want.Incidents != n || want.Changed <= s.MaxChanges || len(want.Changes) != s.MaxChanges {
				t.Fatalf("sequential: %d incidents, %d changed, %d listed: the draft should change more than are listed",
					want.Incidents, want.Changed, len(want.Changes))
			}
			ref, changes := reference(t, ctx, src, f, s)
			if !reflect.DeepEqual(ref, rowsOf(want)) {
				t.Errorf("planning every incident twice in full gives rows %+v; Run %+v", ref, rowsOf(want))
			}
			if !reflect.DeepEqual(changes, want.Changes) {
				t.Errorf("planning every incident twice in full lists changes\n%+v\nRun\n%+v", changes, want.Changes)
			}
			for _, workers := range []int{2, 5} {
				s.Workers = workers
				got, err := replay.Run(ctx, src, f, s, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%d workers: %d incidents, %d changed, rows %+v, first change %v; sequential: %d, %d, %+v, %v",
						workers, got.Incidents, got.Changed, got.Rows, got.Changes[0].IncidentID, want.Incidents, want.Changed, want.Rows, want.Changes[0].IncidentID)
				}
			}
		})
	}
}

type refKey struct {
	tier string
	sev  int
}

// refRow is a row's figures, compared between Run and the reference.
type refRow struct {
	incidents, changed int
	before, after      replay.Counts
}

func rowsOf(r replay.Result) map[refKey]refRow {
	out := map[refKey]refRow{}
	for _, row := range r.Rows {
		out[refKey{row.Tier, row.Severity}] = refRow{row.Incidents, row.Changed, row.Before, row.After}
	}
	return out
}

// reference replays without Run's shortcuts: every incident planned in full under both
// policies, its cadence cycles judged under both, one at a time. It reads the incidents with
// StreamHistories, as Run does: what the stream gives is checked against the engine's own reads
// in TestStreamHistoriesMatchesEngineReads; here only the planning is in question.
func reference(t *testing.T, ctx context.Context, src *tickets.Store, f tickets.HistoryFilter, s replay.Setup) (map[refKey]refRow, []replay.Change) {
	t.Helper()
	count := func(c *replay.Counts, o replay.Outcome) {
		switch o.FirstResponse {
		case sla.Met:
			c.FirstResponseMet++
		case sla.Breached:
			c.FirstResponseBreached++
		}
		c.UpdateBreaches += o.UpdateBreaches
		if o.Escalated[1] {
			c.EscalatedLevel1++
		}
		if o.Escalated[2] {
			c.EscalatedLevel2++
		}
	}
	out := map[refKey]refRow{}
	var changes []replay.Change
	err := src.StreamHistories(ctx, f, true, func(h *tickets.History) error {
		rec, err := s.Recorded(sla.Tier(h.Tier), h.PolicyVersion)
		if err != nil {
			return err
		}
		b, err := replay.Evaluate(rec, s.Calendars, h.Input, s.Now)
		if err != nil {
			return err
		}
		a, err := replay.Evaluate(s.Draft[sla.Tier(h.Tier)], s.DraftCalendars, h.Input, s.Now)
		if err != nil {
			return err
		}
		k := refKey{h.Tier, h.Severity}
		r := out[k]
		r.incidents++
		if ch := replay.Changes(b, a); len(ch) > 0 {
			r.changed++
			if len(changes) < s.MaxChanges { // the stream is in incident id order
				changes = append(changes, replay.Change{IncidentID: h.ID, Reference: h.Reference, Tier: h.Tier, Severity: h.Severity,
					AcceptedAt: h.Input.AcceptedAt, PolicyVersion: h.PolicyVersion, Targets: ch})
			}
		}
		count(&r.before, b)
		count(&r.after, a)
		out[k] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, changes
}

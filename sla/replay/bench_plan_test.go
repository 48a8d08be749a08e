package replay_test

import (
	"context"
	"encoding/json"
	"slices"
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

// memorySource streams histories held in memory: planning measured without the database.
type memorySource []tickets.History

func (m memorySource) CountStreamHistories(context.Context, tickets.HistoryFilter) (int, error) {
	return len(m), nil
}

func (m memorySource) StreamHistories(_ context.Context, _ tickets.HistoryFilter, _ bool, fn func(h *tickets.History) error) error {
	for i := range m {
		h := m[i]
		if err := fn(&h); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkReplayPlanning plans the benchmark's histories (20,000, read into memory once) as
// recorded and as drafted, on one worker, so the planning cost per incident shows without the
// database or a loaded machine's other processes sharing the cores:
//
// go test ./sla/replay -run '^$' -bench BenchmarkReplayPlanning -benchtime 5x
func BenchmarkReplayPlanning(b *testing.B) {
	ctx := context.Background()
	db := testenv.OpenDB(b, testenv.FreshDatabase(b))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0.AddDate(1, 1, 0))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "replay-plan-bench-admin-token")
	if err != nil {
		b.Fatal(err)
	}
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "Replay planning", Office: "tokyo"})
	if err != nil {
		b.Fatal(err)
	}
	cg := catalog.New(catalog.NewStore(db), c)
	if err := cg.EnsureDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	const n = 20000
	loadHistories(b, db, n, t0, org.ID.String(), admin.ID.String())
	f := tickets.HistoryFilter{From: t0, To: t0.AddDate(1, 0, 0)}
	var mem memorySource
	err = tickets.NewStore(db).StreamHistories(ctx, f, true, func(h *tickets.History) error {
		c := *h
		c.Input.Events = slices.Clone(h.Input.Events)
		mem = append(mem, c)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cals, err := cg.Calendars(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct{ name, policy, calendar string }{
		{"one_cell", `{"cells": [{"severity": 2, "target": "first_response", "duration": "1h"}]}`, ""},
		{"calendar", "", `{"time_zone": "Asia/Tokyo", "weekly": {"monday": [{"open": "08:00", "close": "18:00"}], "tuesday": [{"open": "08:00", "close": "18:00"}],
			"wednesday": [{"open": "08:00", "close": "18:00"}], "thursday": [{"open": "08:00", "close": "18:00"}], "friday": [{"open": "08:00", "close": "18:00"}]},
			"national_holidays": "jp"}`},
	} {
		s := replay.Setup{Now: c.Now(), Calendars: cals, DraftCalendars: cals, Draft: map[sla.Tier]sla.Policy{}, MaxChanges: 100, Workers: 1,
			Recorded: func(tier sla.Tier, version int) (sla.Policy, error) { return cg.Policy(ctx, tier, version) }}
		for _, tier := range sla.Tiers {
			p, _, err := cg.DraftPolicy(ctx, tier, json.RawMessage(v.policy))
			if err != nil {
				b.Fatal(err)
			}
			if p, s.DraftCalendars, err = cg.DraftCalendar(ctx, p, cals, json.RawMessage(v.calendar)); err != nil {
				b.Fatal(err)
			}
			s.Draft[tier] = p
		}
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := selfCPU()
			for b.Loop() {
				if res, err := replay.Run(ctx, mem, f, s, nil); err != nil || res.Incidents != n {
					b.Fatalf("%d incidents: %v", res.Incidents, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/incident")
			// CPU time (this process's, garbage collection included) says more than wall time
			// on a machine other work keeps busy.
			b.ReportMetric(float64((selfCPU()-cpu).Nanoseconds())/float64(b.N*n), "cpu-ns/incident")
		})
	}
}

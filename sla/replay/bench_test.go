package replay_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/replay"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

var (
	benchSizes = flag.String("replay.sizes", "100000,1000000", "comma-separated incident counts BenchmarkReplay stores and replays")
	benchDSN   = flag.String("replay.dsn", "", "keep the stored incidents in this database (one size only) and reuse them on the next run")
)

// BenchmarkReplay stores N incidents (mixed tiers and severities, accepted over a year, about
// four planning events each: opened, acknowledged, often resolved, some waits, public updates
// and severity changes, with their texts; and two entries planning skips, an sla_planned record
// of about 1 KiB and an assignment; inserted in time order as a running system would) in a
// database of its own, then replays all of them through the service (count, stream, plan on every core,
// aggregate, store the answer):
//
//   - read_only: only the stream of histories (StreamHistories), nothing planned (the floor);
//   - one_cell: every tier's current policy tightens severity 2's first response (1 h → … as
//     recorded, halved), so incidents that were ever severity 2 have it planned again;
//   - calendar: a draft calendar, so the targets on a business calendar (standard severities
//     2–4) are planned again (24x7 cells plan alike under any calendar).
//
// Each run prints its wall time and the CPU it took: this process's (user+sys) and that of the
// PostgreSQL backends serving the database (when the server runs on this host), so a run slowed
// by a loaded machine shows as such.
//
// Storing a million incidents takes minutes; -replay.dsn names a database (created by the caller,
// migrated here) that keeps them for the next run of the same size:
//
// go test ./sla/replay -run '^$' -bench BenchmarkReplay -benchtime 1x [-replay.sizes 100000] [-replay.dsn postgres://…]
func BenchmarkReplay(b *testing.B) {
	sizes := strings.Split(*benchSizes, ",")
	if *benchDSN != "" && len(sizes) != 1 {
		b.Fatal("-replay.dsn keeps one size: give -replay.sizes one count")
	}
	for _, s := range sizes {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			b.Fatalf("-replay.sizes: %q", s)
		}
		b.Run(fmt.Sprintf("incidents=%d", n), func(b *testing.B) { benchReplay(b, n) })
	}
}

func benchReplay(b *testing.B, n int) {
	ctx := context.Background()
	dsn := *benchDSN
	if dsn == "" {
		dsn = testenv.FreshDatabase(b)
	} else {
		migrate(b, dsn)
	}
	db := testenv.OpenDB(b, dsn)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0.AddDate(1, 1, 0))
	acc := accounts.NewStore(db, c)
	cg := catalog.New(catalog.NewStore(db), c)
	var stored int64
	if err := db.Raw("SELECT count(*) FROM incidents").Scan(&stored).Error; err != nil {
		b.Fatal(err)
	}
	if stored != 0 {
		if stored != int64(n) {
			b.Fatalf("-replay.dsn holds %d incidents, not %d", stored, n)
		}
		admin, err := acc.Authenticate(ctx, "replay-bench-admin-token")
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(os.Stderr, "reusing %d stored incidents\n", n)
		replayAll(b, ctx, db, n, t0, c, cg, admin)
		return
	}
	admin, err := acc.BootstrapAdmin(ctx, "replay-bench-admin-token")
	if err != nil {
		b.Fatal(err)
	}
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "Replay bench", Office: "tokyo"})
	if err != nil {
		b.Fatal(err)
	}
	if err := cg.EnsureDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	loadHistories(b, db, n, t0, org.ID.String(), admin.ID.String())
	var events int64
	db.Raw("SELECT count(*) FROM incident_events").Scan(&events)
	fmt.Fprintf(os.Stderr, "stored %d incidents with %d events in %.1fs\n", n, events, time.Since(start).Seconds())
	// Version 2 of every tier halves severity 2's first response; incidents keep version 1.
	for _, tier := range sla.Tiers {
		p, err := cg.CurrentPolicy(ctx, tier)
		if err != nil {
			b.Fatal(err)
		}
		cell, _ := p.Cell(2, sla.FirstResponse)
		d := catalog.Duration(cell.Duration / 2)
		if _, err := cg.PutPolicy(ctx, admin.ID, tier, []catalog.Cell{{Severity: 2, Target: "first_response", Duration: &d, Clock: cell.Clock}}); err != nil {
			b.Fatal(err)
		}
	}
	replayAll(b, ctx, db, n, t0, c, cg, admin)
}

// replayAll runs the variants over the n stored incidents.
func replayAll(b *testing.B, ctx context.Context, db *gorm.DB, n int, t0 time.Time, c clock.Clock, cg *catalog.Catalog, admin accounts.User) {
	store := tickets.NewStore(db)
	cpu := newCPUMeter(b, db)
	// Reading alone: the stream of histories, nothing planned.
	b.Run("read_only", func(b *testing.B) {
		for range b.N {
			run := cpu.start()
			seen := 0
			err := store.StreamHistories(ctx, tickets.HistoryFilter{From: t0, To: t0.AddDate(1, 0, 0)}, true, func(*tickets.History) error { seen++; return nil })
			if err != nil || seen != n {
				b.Fatalf("streamed %d of %d: %v", seen, n, err)
			}
			run.stop("read_only")
		}
		per := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(per, "s/replay")
		fmt.Fprintf(os.Stderr, "read_only: %d incidents streamed in %.2fs\n", n, per)
	})
	svc := replay.NewService(replay.NewStore(db), store, cg, c, quietLog())
	variants := []struct {
		name     string
		calendar string
	}{
		{"one_cell", ""},
		{"calendar", `{"time_zone": "Asia/Tokyo", "weekly": {"monday": [{"open": "08:00", "close": "18:00"}], "tuesday": [{"open": "08:00", "close": "18:00"}],
			"wednesday": [{"open": "08:00", "close": "18:00"}], "thursday": [{"open": "08:00", "close": "18:00"}], "friday": [{"open": "08:00", "close": "18:00"}]},
			"national_holidays": "jp"}`},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			req := replay.Request{From: t0, To: t0.AddDate(1, 0, 0), Background: true}
			if v.calendar != "" {
				req.Calendar = []byte(v.calendar)
			}
			b.ResetTimer()
			var rep replay.Report
			for range b.N {
				run := cpu.start()
				r, _, err := svc.Start(ctx, admin, req)
				if err != nil {
					b.Fatal(err)
				}
				svc.Wait()
				if rep, err = svc.Get(ctx, admin, r.ID); err != nil || rep.State != "done" || rep.Result.Incidents != n {
					b.Fatalf("replay: %+v %v", rep, err)
				}
				run.stop(v.name)
			}
			b.StopTimer()
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(per, "s/replay")
			b.ReportMetric(float64(n)/per, "incidents/s")
			fmt.Fprintf(os.Stderr, "%s: %d incidents replayed in %.2fs (%d changed)\n", v.name, n, per, rep.Result.Changed)
		})
	}
}

// loadHistories stores n incidents accepted over the year from t0 with their events, in SQL.
// Incident ids are time-ordered (UUIDv7 layout) as the engine makes them.
func loadHistories(b testing.TB, db *gorm.DB, n int, t0 time.Time, org, user string) {
	const chunk = 100_000
	for lo := 1; lo <= n; lo += chunk {
		hi := min(lo+chunk-1, n)
		err := db.Exec(`
			WITH g AS (
				SELECT i, ?::timestamptz + ((i - 1)::float8 / ? * interval '365 days') AS acc,
				       CASE WHEN i % 10 < 6 THEN 'standard' WHEN i % 10 < 9 THEN 'premium' ELSE 'platinum' END AS tier,
				       1 + (i / 10) % 4 AS sev, random() AS r1, random() AS r2, random() AS r3
				FROM generate_series(?::int, ?::int) AS i),
			inc AS (
				INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, scope, opened_by,
				                       accepted_at, created_at, updated_at, policy_version)
				SELECT (lpad(to_hex((extract(epoch FROM acc) * 1000)::bigint), 12, '0') || '7' || substr(md5(i::text), 1, 3) || '8' ||
				        substr(md5(i::text), 4, 15))::uuid,
				       'BENCH-' || i, ?::uuid, 'endpoint', 'replay bench', tier, sev, 'resolved', 'web', 'product', ?::uuid, acc, acc, acc, 1
				FROM g
				RETURNING id, accepted_at)
			INSERT INTO incident_events (incident_id, kind, actor_id, at, data)
			SELECT inc.id, e.kind, ?::uuid, g.acc + e.after, e.data
			FROM g JOIN inc ON inc.accepted_at = g.acc
			CROSS JOIN LATERAL (VALUES
				('opened', interval '0', jsonb_build_object('severity', g.sev, 'tier', g.tier, 'public', true), true),
				('sla_planned', interval '1 second', jsonb_build_object('policy_version', 1, 'planned', repeat('planned deadline explanation ', 40)), true),
				('assigned', g.r1 * interval '2 hours', jsonb_build_object('assignee_id', ?::text, 'channel', 'web'), true),
				('severity_changed', interval '1 hour', jsonb_build_object('severity', 1 + g.sev % 4, 'from', g.sev, 'reason', 'customer impact'), g.r3 < 0.1),
				('acknowledged', g.r1 * interval '3 hours', jsonb_build_object('public', true, 'severity', g.sev, 'message', repeat('first response ', 15)), true),
				('wait_started', interval '4 hours', jsonb_build_object('public', true, 'message', 'please send the logs'), g.r2 < 0.3),
				('wait_ended', interval '4 hours' + g.r2 * interval '60 hours', jsonb_build_object('reason', 'customer replied'), g.r2 < 0.3),
				('public_update', interval '20 hours', jsonb_build_object('public', true, 'body', repeat('status update ', 60)), g.r3 >= 0.1 AND g.r3 < 0.5),
				('resolved', interval '30 hours', jsonb_build_object('public', true, 'resolution', repeat('resolution ', 30)), g.r1 < 0.9)
			) AS e(kind, after, data, keep)
			WHERE e.keep
			ORDER BY g.acc + e.after`, t0, n, lo, hi, org, user, user, user).Error
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Exec("VACUUM ANALYZE incidents").Error; err != nil {
		b.Fatal(err)
	}
	if err := db.Exec("VACUUM ANALYZE incident_events").Error; err != nil {
		b.Fatal(err)
	}
}

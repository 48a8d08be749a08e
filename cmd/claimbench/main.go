// Command claimbench measures the engineer queue under contention: it stores N unassigned open
// incidents (mixed tiers and severities, each with pending SLA timers) in PostgreSQL, then runs C
// engineers claiming through tickets.Service.Claim until the queue is empty, and reports claims
// per second, claim latency (p50, p99, max) and whether every incident was claimed exactly once.
//
//	claimbench -n 20000 -c 32
//
// It uses DATABASE_URL, a scratch database (package internal/scratch: empty, or marked by an
// earlier benchmark run; it refuses one holding data no benchmark wrote). It migrates it, creates
// its own organisation, users and rows, claims only from its own office, and talks to nothing
// else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/app"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/scratch"
	"github.com/supportd/supportd/tickets"
)

func main() {
	n := flag.Int("n", 20000, "unassigned incidents to claim")
	conc := flag.Int("c", 32, "concurrent claimers (engineers)")
	seniors := flag.Int("seniors", 8, "how many of the claimers are senior engineers")
	dbConns := flag.Int("db", 0, "PostgreSQL connections (0: c + 4)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the claiming phase to this file")
	flag.Parse()
	if *dbConns == 0 {
		*dbConns = *conc + 4
	}
	if err := run(*n, *conc, *seniors, *dbConns, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "claimbench:", err)
		os.Exit(1)
	}
}

func run(n, conc, seniors, dbConns int, cpuProfile string) error {
	ctx := context.Background()
	cfg, err := app.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	cfg.DBMaxConns = dbConns
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := app.Open(ctx, cfg, log, clock.Real{})
	if err != nil {
		return err
	}
	defer e.Close()
	sqlDB, err := e.DB.DB()
	if err != nil {
		return err
	}
	if err := scratch.ClaimPostgres(ctx, sqlDB, "claimbench"); err != nil {
		return err
	}
	if err := e.Migrate(ctx); err != nil {
		return err
	}

	admin, err := e.Accounts.BootstrapAdmin(ctx, "claimbench-admin-token-0000")
	if err != nil {
		return err
	}
	stamp := time.Now().Format("150405.000")
	office := "bench-" + stamp
	org, err := e.Accounts.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "claimbench " + stamp, Office: office})
	if err != nil {
		return err
	}
	member, err := e.Accounts.CreateUser(ctx, admin, accounts.NewUser{Email: "member-" + stamp + "@bench.example", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		return err
	}
	engineers := make([]accounts.User, conc)
	for i := range engineers {
		engineers[i], err = e.Accounts.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("eng%d-%s@bench.example", i, stamp),
			Name: fmt.Sprintf("engineer %d", i), Role: accounts.Engineer, Senior: i < seniors, Office: office})
		if err != nil {
			return err
		}
	}

	// Accepted over the last two hours, so that most premium and platinum incidents are past the
	// senior-first window; 60 % standard, 30 % premium, 10 % platinum; severities 1–4; an "opened"
	// event, a first response and a support-manager timer each, due by tier and severity.
	fmt.Printf("storing %d incidents with their timers...\n", n)
	t0 := time.Now()
	if err := e.DB.Exec(`
		WITH g AS (SELECT i, now() - (random() * interval '2 hours') AS acc,
		                  CASE WHEN i % 10 < 6 THEN 'standard' WHEN i % 10 < 9 THEN 'premium' ELSE 'platinum' END AS tier,
		                  1 + (i / 10) % 4 AS sev
		           FROM generate_series(1, ?::bigint) AS i),
		     inc AS (
		INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, scope, opened_by,
		                       accepted_at, created_at, updated_at, policy_version, next_due_at, next_target)
		SELECT gen_random_uuid(), 'CLAIM-' || ? || '-' || i, ?, 'endpoint', 'claimbench', tier, sev, 'new',
		       CASE WHEN i % 3 = 0 THEN 'phone' ELSE 'web' END, 'product', ?, acc, acc, acc, 1,
		       acc + CASE WHEN tier = 'standard' THEN interval '4 hours' ELSE interval '1 hour' END * sev, 'first_response' FROM g
		RETURNING id, tier, severity, accepted_at),
		     opened AS (
		INSERT INTO incident_events (incident_id, kind, actor_id, at, data)
		SELECT id, 'opened', ?::uuid, accepted_at, jsonb_build_object('public', true, 'tier', tier, 'severity', severity) FROM inc)
		INSERT INTO sla_timers (id, incident_id, target, level, due_at, state, created_at)
		SELECT gen_random_uuid(), id, t.target, t.level,
		       accepted_at + CASE WHEN tier = 'standard' THEN interval '4 hours' ELSE interval '1 hour' END * severity * t.factor,
		       'pending', accepted_at
		FROM inc, (VALUES ('first_response', 0, 1), ('support_manager', 1, 6)) AS t(target, level, factor)`,
		n, stamp, org.ID, member.ID, member.ID).Error; err != nil {
		return err
	}
	if err := e.DB.Exec("ANALYZE incidents; ANALYZE sla_timers").Error; err != nil {
		return err
	}
	fmt.Printf("stored in %.1fs; %d engineers (%d senior) claiming from office %s\n", time.Since(t0).Seconds(), conc, seniors, office)

	var (
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, n)
		owner     = make(map[uuid.UUID]int, n)
		dupes     int
		firstErr  error
		wg        sync.WaitGroup
	)
	filter := tickets.QueueFilter{Office: office}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	for w := range engineers {
		wg.Add(1)
		go func(eng accounts.User) {
			defer wg.Done()
			for {
				c0 := time.Now()
				inc, err := e.Incidents.Claim(ctx, eng, filter)
				d := time.Since(c0)
				if apperr.Is(err, "queue_empty") {
					return
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				latencies = append(latencies, d)
				owner[inc.ID]++
				if owner[inc.ID] > 1 {
					dupes++
				}
				mu.Unlock()
			}
		}(engineers[w])
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return firstErr
	}
	// Non-senior engineers stop at queue_empty while fresh priority incidents wait for a senior;
	// seniors drain those, so with seniors > 0 everything is claimed.
	var left int64
	if err := e.DB.Raw("SELECT count(*) FROM incidents WHERE organization_id = ? AND assignee_id IS NULL", org.ID).Scan(&left).Error; err != nil {
		return err
	}
	var events int64
	if err := e.DB.Raw("SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.organization_id = ? AND e.kind = 'assigned'", org.ID).Scan(&events).Error; err != nil {
		return err
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	claims := len(latencies)
	if claims == 0 {
		return errors.New("nothing was claimed")
	}
	pct := func(p float64) time.Duration { return latencies[int(p*float64(claims-1))] }
	fmt.Printf("claimed %d of %d incidents in %.2fs with %d claimers: %.0f claims/s\n", claims, n, elapsed.Seconds(), conc, float64(claims)/elapsed.Seconds())
	fmt.Printf("claim latency p50 %v  p90 %v  p99 %v  max %v\n", pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), latencies[claims-1].Round(time.Microsecond))
	fmt.Printf("distinct incidents claimed %d, claimed twice %d, left unassigned %d, assigned events %d\n", len(owner), dupes, left, events)
	if dupes > 0 || int64(len(owner))+left != int64(n) || events != int64(claims) {
		return errors.New("claims do not add up")
	}
	return nil
}

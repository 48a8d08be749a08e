// Command timerbench measures deadline delivery: it stores N pending escalation timers in
// PostgreSQL, schedules them on asynq, runs the workers in-process and reports lateness
// (deadline → escalation committed), early firings, duplicates, drain time and Redis memory per
// pending timer.
//
//	timerbench -n 100000 -window 200s          # steady: deadlines spread over the window
//	timerbench -n 100000 -burst                # burst: every deadline in the same second
//	timerbench -n 100000 -noop                 # asynq alone, no-op handler (REDIS_URL only)
//
// It uses DATABASE_URL and REDIS_URL and talks to nothing else. Both must be scratch databases
// (package internal/scratch): empty, or marked by an earlier benchmark run; it refuses a database
// holding data no benchmark wrote rather than fill or flush it. It empties its Redis database
// before a run and creates its own organisation and rows in PostgreSQL.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/app"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/scratch"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/workers"
)

func main() {
	n := flag.Int("n", 100000, "timers")
	window := flag.Duration("window", 200*time.Second, "steady mode: deadlines spread over this window")
	lead := flag.Duration("lead", 40*time.Second, "time from start of scheduling to the first deadline")
	burst := flag.Bool("burst", false, "every deadline in the same second")
	conc := flag.Int("c", 400, "worker concurrency (early deliveries wait in the handler, holding a slot but no connection)")
	dbConns := flag.Int("db", 40, "PostgreSQL connections")
	procs := flag.Int("workers", 1, "worker servers (asynq servers in this process)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	noop := flag.Bool("noop", false, "measure asynq alone: -n no-op tasks due in the same second, the workers' asynq settings, no database")
	measure := flag.Duration("measure", 0, "stop this long after the first deadline and report on what fell due by then (0: until all fired)")
	warn := flag.Bool("warnings", false, "also a warning point per incident at 99 % of its 1 h target (36 s before the deadline), told to the office's manager")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "timerbench:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var err error
	if *noop {
		err = runNoop(*n, *lead, *conc, os.Getenv("REDIS_URL"))
	} else {
		err = run(*n, *window, *lead, *measure, *burst, *warn, *conc, *dbConns, *procs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "timerbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(n int, window, lead, measure time.Duration, burst, warn bool, conc, dbConns, procs int) error {
	ctx := context.Background()
	cfg, err := app.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	cfg.DBMaxConns = dbConns
	cfg.Concurrency = conc
	rdb := redis.NewClient(mustRedis(cfg.RedisURL))
	defer rdb.Close()
	if err := scratch.ClaimRedis(ctx, rdb, "timerbench", true); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e, err := app.Open(ctx, cfg, log, clock.Real{})
	if err != nil {
		return err
	}
	defer e.Close()
	if err := claimPostgres(ctx, e, "timerbench"); err != nil {
		return err
	}
	if err := e.Migrate(ctx); err != nil {
		return err
	}

	// A premium severity-1 drill: only the support-manager escalation, after `offset` seconds.
	admin, err := e.Accounts.BootstrapAdmin(ctx, "timerbench-admin-token-0000")
	if err != nil {
		return err
	}
	stamp := time.Now().Format("150405.000")
	org, err := e.Accounts.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "timerbench " + stamp, Office: "bench-" + stamp})
	if err != nil {
		return err
	}
	member, err := e.Accounts.CreateUser(ctx, admin, accounts.NewUser{Email: "member-" + stamp + "@bench.example", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		return err
	}
	if _, err := e.Accounts.CreateUser(ctx, admin, accounts.NewUser{Email: "mgr-" + stamp + "@bench.example", Name: "mgr", Role: accounts.SupportManager, Office: org.Office}); err != nil {
		return err
	}
	secs := 3600.0
	points := []float64{}
	if warn {
		points = []float64{0.99}
	}
	pol, err := e.Catalog.PutPolicy(ctx, admin.ID, sla.Premium, []catalog.Cell{
		{Severity: 1, Target: "first_response", None: true}, {Severity: 1, Target: "update_cadence", None: true},
		{Severity: 1, Target: "support_manager", Seconds: &secs, Warnings: &points}, {Severity: 1, Target: "executive", None: true}})
	if err != nil {
		return err
	}

	// Deadlines: accepted_at = due − 1 h, so the plan agrees with the stored timer.
	start := time.Now().Add(lead).Truncate(time.Second)
	fmt.Printf("storing %d incidents and timers (policy v%d)...\n", n, pol.Version)
	spread := window
	if burst {
		spread = 0
	}
	if err := e.DB.Exec(`
		WITH g AS (SELECT i, ?::timestamptz + (CASE WHEN ?::bigint = 0 THEN 0 ELSE (i * ?::bigint / ?::bigint) END) * interval '1 microsecond' AS due
		           FROM generate_series(1, ?::bigint) AS i),
		     inc AS (
		INSERT INTO incidents (id, reference, organization_id, product, title, tier, severity, status, channel, scope, opened_by,
		                       accepted_at, created_at, updated_at, policy_version)
		SELECT gen_random_uuid(), 'BENCH-' || ? || '-' || i, ?, 'endpoint', 'timerbench', 'premium', 1, 'new', 'web', 'product', ?,
		       due - interval '1 hour', now(), now(), ? FROM g RETURNING id, accepted_at)
		INSERT INTO sla_timers (id, incident_id, target, level, due_at, state, created_at)
		SELECT gen_random_uuid(), id, 'support_manager', 1, accepted_at + interval '1 hour', 'pending', now() FROM inc`,
		start, spread.Microseconds(), spread.Microseconds(), n, n, stamp, org.ID, member.ID, pol.Version).Error; err != nil {
		return err
	}
	if warn { // the plan's warning at 99 % of the hour: 3,564 s after acceptance
		if err := e.DB.Exec(`INSERT INTO sla_timers (id, incident_id, target, level, warning, due_at, state, created_at)
			SELECT gen_random_uuid(), id, 'support_manager', 1, 990, accepted_at + interval '3564 seconds', 'pending', now()
			FROM incidents WHERE organization_id = ?`, org.ID).Error; err != nil {
			return err
		}
	}

	// Statistics as a running system has them: planned against an empty table, the workers'
	// lookups by id would scan the 100,000 rows just stored.
	if err := e.DB.Exec("ANALYZE incidents; ANALYZE sla_timers; ANALYZE incident_events").Error; err != nil {
		return err
	}
	memBefore := usedMemory(ctx, rdb)
	t0 := time.Now()
	for {
		ts, err := e.IncidentStore.UnenqueuedTimers(ctx, 5000)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			break
		}
		e.Queue.Reschedule(ctx, ts)
	}
	memAfter := usedMemory(ctx, rdb)
	// Redis was emptied by this run and every timer scheduled above: tell reconciliation so, or
	// it would (rightly) treat the empty Redis as lost data and reschedule all of them again.
	if err := rdb.Set(ctx, workers.MarkerKey, time.Now().Format(time.RFC3339Nano), 0).Err(); err != nil {
		return err
	}
	fmt.Printf("scheduled %d timers on asynq in %.1fs; Redis used_memory +%d bytes = %.0f bytes per pending timer\n",
		n, time.Since(t0).Seconds(), memAfter-memBefore, float64(memAfter-memBefore)/float64(n))
	if time.Now().After(start) {
		return fmt.Errorf("scheduling took longer than -lead %v; raise it", lead)
	}

	wctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, procs)
	for i := 0; i < procs; i++ {
		go func() { done <- e.Work(wctx) }()
	}
	last := start.Add(spread)
	deadline := last.Add(10 * time.Minute)
	if measure > 0 {
		last = start.Add(measure)
		deadline = last.Add(5 * time.Second)
	}
	for {
		var pending int64
		// An index range over this run's deadlines: polling must not take the database time the
		// workers are measured on (a join by organisation here took 2.4 s of PostgreSQL per 20,000).
		if err := e.DB.Raw("SELECT count(*) FROM sla_timers WHERE state = 'pending' AND due_at BETWEEN ? AND ?", start, last).Scan(&pending).Error; err != nil {
			return err
		}
		if (pending == 0 && time.Now().After(last)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	var still int64
	e.DB.Raw("SELECT count(*) FROM sla_timers WHERE state = 'pending' AND incident_id IN (SELECT id FROM incidents WHERE organization_id = ?)", org.ID).Scan(&still)
	fmt.Printf("timers still pending at the end (due later): %d\n", still)
	stop()
	for i := 0; i < procs; i++ {
		<-done
	}
	// Fresh statistics, or the report's join may take a plan made for an empty table.
	if err := e.DB.Exec("ANALYZE incidents; ANALYZE sla_timers; ANALYZE incident_events").Error; err != nil {
		return err
	}
	return report(ctx, e, org.ID.String(), n, start, last)
}

func report(ctx context.Context, e *app.Engine, orgID string, n int, start, last time.Time) error {
	var lat []float64
	if err := e.DB.Raw(`SELECT extract(epoch FROM t.fired_at - t.due_at) FROM sla_timers t JOIN incidents i ON i.id = t.incident_id
		WHERE i.organization_id = ? AND t.state = 'fired' AND t.warning = 0`, orgID).Scan(&lat).Error; err != nil {
		return err
	}
	var warned []float64
	if err := e.DB.Raw(`SELECT extract(epoch FROM t.fired_at - t.due_at) FROM sla_timers t JOIN incidents i ON i.id = t.incident_id
		WHERE i.organization_id = ? AND t.state = 'fired' AND t.warning > 0 ORDER BY 1`, orgID).Scan(&warned).Error; err != nil {
		return err
	}
	if len(warned) > 0 {
		at := func(p float64) time.Duration {
			return time.Duration(warned[int(p*float64(len(warned)-1))] * float64(time.Second)).Round(time.Millisecond)
		}
		fmt.Printf("warnings told %d; lateness p50 %v p90 %v p99 %v max %v\n", len(warned), at(.5), at(.9), at(.99), at(1))
	}
	var dup, escalated, early int64
	e.DB.Raw(`SELECT count(*) FROM (SELECT incident_id FROM incident_events e JOIN incidents i ON i.id = e.incident_id
		WHERE i.organization_id = ? AND e.kind = 'escalated' GROUP BY incident_id HAVING count(*) > 1) d`, orgID).Scan(&dup)
	e.DB.Raw(`SELECT count(*) FROM incidents WHERE organization_id = ? AND escalation_level = 1`, orgID).Scan(&escalated)
	sort.Float64s(lat)
	for _, l := range lat {
		if l < 0 {
			early++
		}
	}
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return time.Duration(lat[int(p*float64(len(lat)-1))] * float64(time.Second))
	}
	var drained time.Time
	e.DB.Raw(`SELECT max(t.fired_at) FROM sla_timers t JOIN incidents i ON i.id = t.incident_id WHERE i.organization_id = ? AND t.warning = 0`, orgID).Scan(&drained)
	var due int64
	e.DB.Raw(`SELECT count(*) FROM sla_timers t JOIN incidents i ON i.id = t.incident_id WHERE i.organization_id = ? AND t.due_at <= ? AND t.warning = 0`, orgID, last).Scan(&due)
	fmt.Printf("fired %d of the %d due by the end (of %d timers; incidents escalated: %d); early %d; duplicate escalations %d\n", len(lat), due, n, escalated, early, dup)
	fmt.Printf("lateness p50 %v p90 %v p99 %v max %v\n", pct(.5).Round(time.Millisecond), pct(.9).Round(time.Millisecond),
		pct(.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	fmt.Printf("deadlines from %s to %s; last escalation committed %v after the last deadline\n",
		start.Format("15:04:05"), last.Format("15:04:05"), drained.Sub(last).Round(time.Millisecond))
	return nil
}

func usedMemory(ctx context.Context, rdb *redis.Client) int64 {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0
	}
	var used int64
	for _, line := range strings.Split(info, "\r\n") {
		if _, err := fmt.Sscanf(line, "used_memory:%d", &used); err == nil {
			return used
		}
	}
	return 0
}

// claimPostgres claims the engine's database as scratch before it is migrated.
func claimPostgres(ctx context.Context, e *app.Engine, tool string) error {
	db, err := e.DB.DB()
	if err != nil {
		return err
	}
	return scratch.ClaimPostgres(ctx, db, tool)
}

func mustRedis(url string) *redis.Options {
	o, err := redis.ParseURL(url)
	if err != nil {
		panic(err)
	}
	return o
}

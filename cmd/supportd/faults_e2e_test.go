package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/testenv"
)

// faultWorld is a serve process and a world on given servers.
func faultWorld(t *testing.T, env ...string) (*proc, world) {
	t.Helper()
	p := start(t, env...)
	w := setup(t, p, fmt.Sprintf("fault-%d", time.Now().UnixNano()))
	drillPolicy(t, p)
	return p, w
}

func openSev1(t *testing.T, p *proc, w world, title string) string {
	t.Helper()
	return p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": title, "description": "d", "severity": 1}).str("id")
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestKilledWorkerMidTask: a worker is killed with SIGKILL while it holds a deadline's delivery
// (asynq would only retry it after its 30 s lease and a backoff). The escalation still happens,
// once, delayed by about the reconciliation interval, not by asynq's lease.
func TestKilledWorkerMidTask(t *testing.T) {
	const interval = 2 * time.Second
	dsn := testenv.FreshDatabase(t)
	p, w := faultWorld(t, "DATABASE_URL="+dsn)
	w1 := startWorker(t, "DATABASE_URL="+dsn, "RECONCILE_INTERVAL=2s")
	db := testenv.OpenDB(t, dsn)
	id := openSev1(t, p, w, "killed mid-task")

	// Hold the incident's row lock so the first delivery blocks inside its transaction.
	tx := db.Begin()
	defer tx.Rollback()
	if err := tx.Exec("SELECT 1 FROM incidents WHERE id = ? FOR UPDATE", id).Error; err != nil {
		t.Fatal(err)
	}
	var claimedAt time.Time
	waitFor(t, 10*time.Second, "the first-response delivery to start", func() bool {
		var ts []time.Time
		db.Raw("SELECT claimed_at FROM sla_timers WHERE incident_id = ? AND target = 'first_response' AND warning = 0 AND claimed_at IS NOT NULL", id).Scan(&ts)
		if len(ts) == 1 {
			claimedAt = ts[0]
		}
		return len(ts) == 1
	})
	if err := w1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-w1.done
	startWorker(t, "DATABASE_URL="+dsn, "RECONCILE_INTERVAL=2s")
	tx.Rollback()

	var fs []firing
	waitFor(t, 15*time.Second, "the breach after the kill", func() bool {
		fs = firings(t, p, w.engineer, id)
		return len(fs) > 0 && fs[0].kind == "sla_breached:first_response"
	})
	if late := fs[0].at.Sub(claimedAt); late > interval+1500*time.Millisecond {
		t.Fatalf("breach recorded %v after the killed delivery started; bound is the %v reconciliation interval", late, interval)
	}
	waitFor(t, 20*time.Second, "both escalation levels", func() bool { // executive at 8 s
		fs = firings(t, p, w.engineer, id)
		return len(fs) >= 3
	})
	if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:first_response escalated1 escalated2]" {
		t.Fatalf("after the kill: %s", got)
	}
	checkTimely(t, fs[1:], interval+1500*time.Millisecond)
}

// TestRedisFlushAll: Redis loses every scheduled delivery; PostgreSQL still holds the timers, and
// each fires, late by at most the reconciliation interval.
func TestRedisFlushAll(t *testing.T) {
	const interval = 2 * time.Second
	rd := testenv.PrivateRedis(t)
	env := []string{"REDIS_URL=redis://" + rd.Addr + "/0", "RECONCILE_INTERVAL=2s", "DATABASE_URL=" + testenv.FreshDatabase(t)}
	p, w := faultWorld(t, env...)
	startWorker(t, env...)
	ids := []string{}
	for i := 0; i < 5; i++ {
		ids = append(ids, openSev1(t, p, w, fmt.Sprintf("flushed %d", i)))
	}
	time.Sleep(500 * time.Millisecond)
	rdb := redis.NewClient(&redis.Options{Addr: rd.Addr})
	defer rdb.Close()
	if err := rdb.FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		var fs []firing
		waitFor(t, 20*time.Second, "every deadline after FLUSHALL", func() bool {
			fs = firings(t, p, w.engineer, id)
			return len(fs) >= 3
		})
		if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:first_response escalated1 escalated2]" {
			t.Fatalf("incident %s after FLUSHALL: %s", id, got)
		}
		checkTimely(t, fs, interval+1500*time.Millisecond)
	}
}

// TestPostgresRestart: PostgreSQL restarts while deadlines are pending; API and workers recover
// on their own and the deadlines fire.
func TestPostgresRestart(t *testing.T) {
	pg := testenv.PrivatePostgres(t)
	env := []string{"DATABASE_URL=" + pg.DSN, "RECONCILE_INTERVAL=2s"}
	rd := testenv.PrivateRedis(t)
	env = append(env, "REDIS_URL=redis://"+rd.Addr+"/0")
	p, w := faultWorld(t, env...)
	startWorker(t, env...)
	id := openSev1(t, p, w, "through a restart")
	time.Sleep(1500 * time.Millisecond)
	if err := pg.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the API to answer again", func() bool {
		return p.call("GET", "/readyz", "", nil).Status == 200
	})
	var fs []firing
	waitFor(t, 20*time.Second, "both escalations", func() bool {
		fs = firings(t, p, w.engineer, id)
		return len(fs) == 3
	})
	if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:first_response escalated1 escalated2]" {
		t.Fatalf("after the restart: %s", got)
	}
	for _, f := range fs {
		if f.at.Before(f.due) {
			t.Fatalf("%s early", f.kind)
		}
	}
	// A new incident after the restart works end to end.
	if r := p.call("POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "after", "description": "d", "severity": 2}); r.Status != 201 {
		t.Fatalf("intake after restart: %d %s", r.Status, r.Raw)
	}
}

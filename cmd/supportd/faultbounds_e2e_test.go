package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/workers"
)

// The fault bounds the README promises, each proved against real `supportd` processes, a
// private Redis and PostgreSQL where the test must flush, restart or read them.

// TestKilledWorkerHoldingEarlyDeliveries: asynq hands a worker its deliveries up to a second
// before their deadline, and the handler waits for the deadline before it claims the timer in
// PostgreSQL. A worker killed (SIGKILL) while it holds such deliveries leaves them "active" in
// asynq under their lease for about 75 s; every deadline must still fire, once, within
// RECONCILE_INTERVAL + 1 s of its due time.
func TestKilledWorkerHoldingEarlyDeliveries(t *testing.T) {
	const interval = 2 * time.Second
	rd := testenv.PrivateRedis(t)
	dsn := testenv.FreshDatabase(t)
	env := []string{"REDIS_URL=redis://" + rd.Addr + "/0", "RECONCILE_INTERVAL=2s", "DATABASE_URL=" + dsn}
	p, w := faultWorld(t, env...)
	doomed := startWorker(t, env...)
	survivor := startWorker(t, env...)
	// The survivor is paused while the deliveries are handed out, so the doomed worker takes them
	// all; it runs again (reconciler included) the moment the doomed one is killed.
	if err := survivor.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resume := func() { _ = survivor.cmd.Process.Signal(syscall.SIGCONT) }
	defer resume()

	// Open the incidents early in a second: their 2 s first-response deadlines then fall inside a
	// second, and asynq, which keeps due times in whole seconds, starts them early.
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second + 100*time.Millisecond).Sub(now))
	var ids []string
	for i := 0; i < 8; i++ {
		ids = append(ids, openSev1(t, p, w, fmt.Sprintf("early-taken %d", i)))
	}

	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: rd.Addr})
	defer insp.Close()
	held := map[string]time.Time{} // timer ID → due, of deliveries active before their deadline
	end := time.Now().Add(10 * time.Second)
	for {
		tasks, _ := insp.ListActiveTasks(workers.QueueCritical)
		now := time.Now()
		first := time.Time{}
		for _, task := range tasks {
			id, micros, ok := strings.Cut(string(task.Payload), "@")
			us, err := strconv.ParseInt(micros, 10, 64)
			if !ok || err != nil {
				t.Fatalf("deadline payload %q", task.Payload)
			}
			if due := time.UnixMicro(us); due.After(now) {
				held[id] = due
			}
		}
		for _, due := range held {
			if first.IsZero() || due.Before(first) {
				first = due
			}
		}
		if len(held) >= len(ids) || (len(held) > 0 && first.Sub(now) < 150*time.Millisecond) {
			break
		}
		if now.After(end) {
			t.Fatalf("no delivery was started before its deadline (held %d)", len(held))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := doomed.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-doomed.done
	resume()

	db := testenv.OpenDB(t, dsn)
	var claimed int64
	keys := make([]string, 0, len(held))
	for id := range held {
		keys = append(keys, id)
	}
	if err := db.Raw("SELECT count(*) FROM sla_timers WHERE id::text IN ? AND claimed_at IS NOT NULL", keys).Scan(&claimed).Error; err != nil {
		t.Fatal(err)
	}
	if claimed != 0 {
		t.Fatalf("%d of the %d killed deliveries had claimed their timer: not the early-taken case", claimed, len(held))
	}
	t.Logf("killed a worker holding %d early-taken deliveries", len(held))

	bound := interval + time.Second
	var worst time.Duration
	defer func() { t.Logf("latest firing: %v after its deadline (bound %v)", worst, bound) }()
	for _, id := range ids {
		var fs []firing
		waitFor(t, 20*time.Second, "every deadline after the kill", func() bool {
			fs = firings(t, p, w.engineer, id)
			return len(fs) >= 3
		})
		time.Sleep(100 * time.Millisecond) // a duplicate would show up now
		fs = firings(t, p, w.engineer, id)
		checkTimely(t, fs, bound)
		for _, f := range fs {
			worst = max(worst, f.at.Sub(f.due))
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].due.Before(fs[j].due) })
		if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:first_response escalated1 escalated2]" {
			t.Fatalf("incident %s after the kill: %s", id, got)
		}
	}
}

// TestFlushAllWithThousandTimersNoDeadlock: Redis loses its data (FLUSHALL) while more than a
// thousand timers are pending and deadlines are firing. Reconciliation forgets and re-marks
// every pending timer in bulk while firing transactions hold incident and timer locks; every
// deadline must fire exactly once, and PostgreSQL must report no deadlock.
func TestFlushAllWithThousandTimersNoDeadlock(t *testing.T) {
	pg := testenv.PrivatePostgres(t)
	rd := testenv.PrivateRedis(t)
	env := []string{"DATABASE_URL=" + pg.DSN, "REDIS_URL=redis://" + rd.Addr + "/0", "RECONCILE_INTERVAL=2s"}
	p := start(t, env...)
	w := setup(t, p, fmt.Sprintf("flush-%d", time.Now().UnixNano()))
	// Long enough to open every incident before the first deadline.
	p.must(200, "PUT", "/v1/policies/platinum", adminToken, map[string]any{"cells": []any{
		map[string]any{"severity": 1, "target": "first_response", "seconds": 12},
		map[string]any{"severity": 1, "target": "update_cadence", "seconds": 13},
		map[string]any{"severity": 1, "target": "support_manager", "seconds": 13},
		map[string]any{"severity": 1, "target": "executive", "seconds": 14},
	}})
	w1 := startWorker(t, env...)
	w2 := startWorker(t, env...)
	db := testenv.OpenDB(t, pg.DSN)

	const n = 360 // three timers each
	const flushes, flushEvery = 10, 400 * time.Millisecond
	began := time.Now()
	ids := openMany(t, p, w.memberA, n, 8)
	t.Logf("%d incidents opened in %v", n, time.Since(began).Round(time.Millisecond))
	// Flush once the first deadlines are firing, so that reconciliation's bulk writes meet
	// firing transactions.
	waitFor(t, 30*time.Second, "the first deadline to fire", func() bool {
		var fired int64
		db.Raw("SELECT count(*) FROM sla_timers WHERE state = 'fired'").Scan(&fired)
		return fired > 0
	})
	var pending int64
	db.Raw("SELECT count(*) FROM sla_timers WHERE state = 'pending'").Scan(&pending)
	rdb := redis.NewClient(&redis.Options{Addr: rd.Addr})
	defer rdb.Close()
	// Redis loses its data again and again while the deadlines fall due: each loss is a bulk
	// forget and re-mark of every pending timer, against firing transactions on both workers.
	for i := 0; i < flushes; i++ {
		if err := rdb.FlushAll(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(flushEvery)
	}
	if pending < 1000 {
		t.Fatalf("only %d timers pending at FLUSHALL, want >= 1000", pending)
	}
	t.Logf("FLUSHALL with %d timers pending, %d times", pending, flushes)
	waitFor(t, 60*time.Second, "every timer to fire", func() bool {
		var left int64
		db.Raw("SELECT count(*) FROM sla_timers WHERE state = 'pending' AND target IN ('first_response', 'support_manager', 'executive')").Scan(&left)
		return left == 0
	})
	time.Sleep(time.Second) // late duplicates would be recorded by now
	var rows []struct {
		IncidentID string
		Fired      string
	}
	if err := db.Raw(`SELECT incident_id::text, string_agg(kind || coalesce(data->>'target', '') || coalesce(data->>'level', ''), ',' ORDER BY kind, data->>'level') AS fired
		FROM incident_events WHERE kind IN ('sla_breached', 'escalated') AND incident_id::text IN ? GROUP BY incident_id`, ids).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Errorf("%d of %d incidents have firings", len(rows), n)
	}
	for _, r := range rows {
		if r.Fired != "escalatedsupport_manager1,escalatedexecutive2,sla_breachedfirst_response" {
			t.Errorf("incident %s fired %s", r.IncidentID, r.Fired)
		}
	}
	log, err := os.ReadFile(testenv.PostgresLog(pg))
	if err != nil {
		t.Fatal(err)
	}
	if c := bytes.Count(log, []byte("deadlock detected")); c > 0 {
		t.Errorf("PostgreSQL reported %d deadlocks:\n%s", c, grepLines(string(log), "deadlock"))
	}
	for _, wp := range []*proc{w1, w2} {
		if strings.Contains(wp.Logs(), "deadlock detected") {
			t.Errorf("a worker met a deadlock:\n%s", grepLines(wp.Logs(), "deadlock"))
		}
	}
}

// TestPostgresRestartDuringIntake: PostgreSQL restarts while customers open incidents. No
// request is answered 500; while the database is away the answer is 503 database_unavailable with
// Retry-After; each request retried with its Idempotency-Key afterwards succeeds, and a request
// that had succeeded returns its first incident, not a second one.
func TestPostgresRestartDuringIntake(t *testing.T) {
	pg := testenv.PrivatePostgres(t)
	rd := testenv.PrivateRedis(t)
	env := []string{"DATABASE_URL=" + pg.DSN, "REDIS_URL=redis://" + rd.Addr + "/0"}
	p, w := faultWorld(t, env...)

	type result struct {
		key, id, code, retryAfter string
		status                    int
	}
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("restart-%d-%d", c, i)
				r := intake(p.base, w.memberA, key, "during a restart")
				mu.Lock()
				results = append(results, result{key: key, id: r.id, code: r.code, retryAfter: r.retryAfter, status: r.status})
				mu.Unlock()
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	if err := pg.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	unavailable := 0
	for _, r := range results {
		switch {
		case r.status == 201:
		case r.status == 503 && r.code == "database_unavailable" && r.retryAfter != "":
			unavailable++
		default:
			t.Errorf("%s: %d %q (Retry-After %q); want 201, or 503 database_unavailable with Retry-After", r.key, r.status, r.code, r.retryAfter)
		}
	}
	if unavailable == 0 {
		t.Fatalf("no request met the restart (%d requests)", len(results))
	}
	t.Logf("%d requests, %d answered 503 database_unavailable while PostgreSQL restarted", len(results), unavailable)
	seen := map[string]string{}
	for _, r := range results {
		again := intake(p.base, w.memberA, r.key, "during a restart")
		if again.status != 201 {
			t.Fatalf("retry of %s: %d %q", r.key, again.status, again.code)
		}
		if r.status == 201 && again.id != r.id {
			t.Fatalf("retry of %s made incident %s, the first attempt made %s", r.key, again.id, r.id)
		}
		if k, dup := seen[again.id]; dup {
			t.Fatalf("keys %s and %s share incident %s", k, r.key, again.id)
		}
		seen[again.id] = r.key
	}
}

type intakeReply struct {
	status               int
	id, code, retryAfter string
}

// intake opens a severity-1 incident with an Idempotency-Key; a transport error is status 0.
func intake(base, token, key, title string) intakeReply {
	body, _ := json.Marshal(map[string]any{"product": "endpoint", "title": title, "description": "d", "severity": 1})
	req, _ := http.NewRequest("POST", base+"/v1/incidents", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return intakeReply{code: err.Error()}
	}
	defer res.Body.Close()
	var out struct {
		ID    string `json:"id"`
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return intakeReply{status: res.StatusCode, id: out.ID, code: out.Error.Code, retryAfter: res.Header.Get("Retry-After")}
}

// openMany opens n severity-1 incidents over c concurrent clients and returns their IDs.
func openMany(t *testing.T, p *proc, token string, n, c int) []string {
	t.Helper()
	var (
		mu   sync.Mutex
		ids  []string
		errs []string
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for k := 0; k < c; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := intake(p.base, token, fmt.Sprintf("many-%d-%d", time.Now().UnixNano(), i), fmt.Sprintf("bulk %d", i))
				mu.Lock()
				if r.status == 201 {
					ids = append(ids, r.id)
				} else {
					errs = append(errs, fmt.Sprintf("%d %s", r.status, r.code))
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d intakes failed, first: %s", len(errs), errs[0])
	}
	return ids
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

package workers

import (
	"context"
	"github.com/supportd/supportd/tickets/ticketstest"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// TestTimersThatNeverReachedRedisAreFound: intake marks its timers enqueued in its own
// transaction (no second write). When Redis refuses them after commit, they are unmarked, and the
// next reconciliation pass schedules them on the queue; a timer that reached Redis is left
// marked. (Its own database: reconciliation reads every pending timer.)
func TestTimersThatNeverReachedRedisAreFound(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	c := clock.NewFake(time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "reconcile-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: "reconcile", Office: "tokyo", Tier: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: "reconcile@x.example", Name: "m", Role: accounts.Member, OrganizationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	rc := testenv.Redis(t)
	live := asynq.RedisClientOpt{Addr: rc.Addr, Password: rc.Password, DB: rc.DB}
	log := slog.New(slog.DiscardHandler)
	store := tickets.NewStore(db)
	open := func(q *TimerQueue) []uuid.UUID {
		svc := tickets.NewService(tickets.Deps{Log: slog.New(slog.DiscardHandler), Store: store, Entitler: ticketstest.OrgTier{Orgs: acc}, Planner: catalog.New(catalog.NewStore(db), c), Scheduler: q, Users: acc, Clock: c})
		inc, _, err := svc.Open(ctx, member, tickets.NewIncident{Product: "p", Title: "t", Description: "d"}, "")
		if err != nil {
			t.Fatal(err)
		}
		var ids []uuid.UUID
		if err := db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND state = 'pending' ORDER BY id", inc.ID).Scan(&ids).Error; err != nil || len(ids) == 0 {
			t.Fatal(ids, err)
		}
		return ids
	}
	unmarked := func(ids []uuid.UUID) int64 {
		var n int64
		if err := db.Raw("SELECT count(*) FROM sla_timers WHERE id IN ? AND enqueued_at IS NULL", ids).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	good := NewTimerQueue(live, store, c, log)
	defer good.Close()
	dead := NewTimerQueue(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond}, store, c, log)
	defer dead.Close()

	reached := open(good)
	lost := open(dead)
	if n := unmarked(reached); n != 0 {
		t.Fatalf("%d timers that reached Redis are unmarked", n)
	}
	if n := unmarked(lost); n != int64(len(lost)) {
		t.Fatalf("%d of %d timers Redis refused are unmarked", n, len(lost))
	}
	for _, id := range lost {
		if _, err := good.insp.GetTaskInfo(QueueCritical, taskID(id)); err == nil {
			t.Fatalf("timer %s is in the queue before reconciliation", id)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: rc.Addr, Password: rc.Password, DB: rc.DB})
	defer rdb.Close()
	if err := rdb.Set(ctx, MarkerKey, "test", 0).Err(); err != nil { // Redis has lost nothing
		t.Fatal(err)
	}
	r := &Reconciler{Interval: time.Minute, Store: store, Queue: good, Redis: rdb, Clock: c, Log: log}
	if err := r.Once(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range lost {
		info, err := good.insp.GetTaskInfo(QueueCritical, taskID(id))
		if err != nil || (info.State != asynq.TaskStateScheduled && info.State != asynq.TaskStatePending) {
			t.Fatalf("timer %s after reconciliation: %+v %v", id, info, err)
		}
	}
	if n := unmarked(append(lost, reached...)); n != 0 {
		t.Fatalf("%d timers still unmarked after reconciliation", n)
	}
	for _, id := range append(lost, reached...) {
		_ = good.insp.DeleteTask(QueueCritical, taskID(id))
	}
}

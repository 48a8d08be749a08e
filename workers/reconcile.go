package workers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/tickets"
)

// MarkerKey tells reconciliation whether Redis still holds what it was given: it is written once
// and never expires, so its absence means Redis restarted empty or was flushed.
const MarkerKey = "supportd:timers:epoch"

// Reconciler repairs the gap between PostgreSQL, which holds every pending timer, and Redis, which
// delivers them. Each pass: if Redis lost its data, every pending timer is scheduled again; timers
// not yet in the queue are scheduled; timers overdue by half an interval whose delivery never
// started are scheduled again under their own task ID (a conflict means the delivery is merely
// queued); and timers whose delivery started but did not finish within half an interval (a killed
// worker, whose task asynq would only retry after its lease and backoff) get a fresh delivery.
// Passes run every half interval, so a fault delays a deadline by at most about one interval.
type Reconciler struct {
	Interval time.Duration
	Store    *tickets.Store
	Queue    *TimerQueue
	Redis    redis.UniversalClient
	Clock    clock.Clock
	Log      *slog.Logger
}

// Run reconciles until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval / 2)
	defer t.Stop()
	for {
		if err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("reconciliation pass failed; next pass retries", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// batch bounds one pass's work per step, so a pass stays short under a backlog.
const batch = 2000

// Once runs one reconciliation pass.
func (r *Reconciler) Once(ctx context.Context) error {
	now := r.Clock.Now()
	n, err := r.Redis.Exists(ctx, MarkerKey).Result()
	if err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if n == 0 {
		forgot, err := r.Store.ForgetEnqueued(ctx)
		if err != nil {
			return err
		}
		if err := r.Redis.Set(ctx, MarkerKey, now.Format(time.RFC3339Nano), 0).Err(); err != nil {
			return err
		}
		if forgot > 0 {
			r.Log.Warn("redis lost its data: rescheduling every pending timer", "timers", forgot)
		}
	}
	for i := 0; i < 50; i++ {
		ts, err := r.Store.UnenqueuedTimers(ctx, batch)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			break
		}
		r.Queue.Schedule(ctx, ts)
		if len(ts) < batch {
			break
		}
	}
	overdue, err := r.Store.OverdueTimers(ctx, now.Add(-r.Interval/2), batch)
	if err != nil {
		return err
	}
	for _, t := range overdue {
		tid := taskID(t.ID)
		if t.ClaimedAt != nil {
			tid = fmt.Sprintf("%s:claim:%d", tid, t.Claims)
		}
		if err := r.Queue.enqueue(ctx, t.ID, t.DueAt, tid, now); err != nil {
			return err
		}
	}
	return nil
}

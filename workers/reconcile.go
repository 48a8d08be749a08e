package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/metrics"
	"github.com/supportd/supportd/tickets"
)

// MarkerKey tells reconciliation whether Redis still holds what it was given: it is written once
// and never expires, so its absence means Redis restarted empty or was flushed.
const MarkerKey = "supportd:timers:epoch"

// Reconciler repairs the gap between PostgreSQL, which holds every pending timer, and Redis, which
// delivers them. Each pass: if Redis lost its data, every pending timer is scheduled again; timers
// not yet in the queue are scheduled; timers overdue by a quarter interval whose delivery never
// started get a fresh delivery unless asynq says theirs is waiting in the queue (see
// redeliveryID: a task ID conflict does not tell a queued delivery from one held by a dead
// worker); and timers whose delivery started but did not finish within a quarter interval (a
// killed worker, whose task asynq would only retry after its lease and backoff) get a fresh
// delivery. Passes run every quarter interval, so a fault delays a deadline by about half an
// interval plus the time to fire it; the promised bound, one interval, leaves the rest for a
// loaded machine.
type Reconciler struct {
	Interval time.Duration
	Store    TimerStore
	Queue    *TimerQueue
	Redis    redis.UniversalClient
	Clock    clock.Clock
	Log      *slog.Logger
	// Metrics counts the repairs (nil: not counted).
	Metrics *metrics.Set
}

// Run reconciles until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	t := time.NewTicker(r.Interval / 4)
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
			r.Metrics.Repaired("redis_lost", int(forgot))
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
		r.Queue.Reschedule(ctx, ts)
		r.Metrics.Repaired("unenqueued", len(ts))
		if len(ts) < batch {
			break
		}
	}
	overdue, err := r.Store.OverdueTimers(ctx, now.Add(-r.Interval/4), batch)
	if err != nil {
		return err
	}
	waiting := r.waitingDeliveries(ctx, overdue)
	for _, t := range overdue {
		if waiting[t.ID] {
			continue // a backlog drains by itself (see redeliveryID)
		}
		tid, err := r.redeliveryID(ctx, t, now)
		if err != nil {
			return err
		}
		if tid == "" {
			continue
		}
		if err := r.Queue.enqueue(ctx, t.ID, t.DueAt, tid, now); err != nil {
			return err
		}
		r.Metrics.Repaired("redelivered", 1)
	}
	return nil
}

// waitingStates are the asynq task states of a delivery waiting its turn in the queue.
var waitingStates = map[string]bool{"pending": true, "scheduled": true, "retry": true}

// waitingDeliveries returns the unclaimed timers whose delivery asynq holds waiting in the
// queue, read in one pipelined round trip: asynq keeps each task as a hash,
// asynq:{queue}:t:<task ID>, whose state field is what Inspector.GetTaskInfo reports. Asking
// GetTaskInfo (a script and a queue check) for each of a burst's overdue timers cost as much CPU
// as firing them. The answer only saves work: a timer missing from it is asked the exact way
// (redeliveryID), so a Redis error or another asynq layout costs time, never a delivery.
func (r *Reconciler) waitingDeliveries(ctx context.Context, ts []tickets.Timer) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{}
	var ask []tickets.Timer
	for _, t := range ts {
		if t.ClaimedAt == nil {
			ask = append(ask, t)
		}
	}
	if len(ask) == 0 {
		return out
	}
	cmds := make([]*redis.StringCmd, len(ask))
	_, _ = r.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range ask {
			cmds[i] = p.HGet(ctx, "asynq:{"+QueueCritical+"}:t:"+taskID(t.ID), "state")
		}
		return nil
	})
	for i, c := range cmds {
		if s, err := c.Result(); err == nil && waitingStates[s] {
			out[ask[i].ID] = true
		}
	}
	return out
}

// redeliveryID is the task ID of a fresh delivery for an overdue timer, or "" when its delivery
// is merely waiting in the queue. A timer claimed but not fired lost its delivery mid-task: one
// fresh delivery per claim. An unclaimed one is looked up in asynq under its own task ID: waiting
// (pending, scheduled, retry) is left alone, since a backlog drains by itself and a duplicate
// would only lengthen it; anything else gets a delivery under a new ID, one per pass period. Above
// all "active": a worker took it, and a live worker claims a delivery as soon as it is due, even
// one it took early (asynq starts tasks up to a second early); unclaimed a quarter interval after
// the deadline, it is held by a worker that died, and asynq answers a re-enqueue under the old ID
// with a conflict until the dead worker's lease runs out and its recoverer runs (about 75 s).
// Exactly-once does not rest on task IDs: the delivery that decides the timer in PostgreSQL wins,
// and the others find it fired.
func (r *Reconciler) redeliveryID(ctx context.Context, t tickets.Timer, now time.Time) (string, error) {
	if t.ClaimedAt != nil {
		return fmt.Sprintf("%s:claim:%d", taskID(t.ID), t.Claims), nil
	}
	info, err := r.Queue.insp.GetTaskInfo(QueueCritical, taskID(t.ID))
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound):
	case err != nil:
		return "", fmt.Errorf("redis: %w", err)
	case info.State == asynq.TaskStatePending || info.State == asynq.TaskStateScheduled || info.State == asynq.TaskStateRetry:
		return "", nil
	}
	period := max(r.Interval/4, time.Millisecond) // one fresh delivery per pass
	return fmt.Sprintf("%s:late:%d", taskID(t.ID), now.UnixNano()/int64(period)), nil
}

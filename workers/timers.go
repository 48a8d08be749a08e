package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/tickets"
)

// TypeDeadline delivers one SLA timer at its due time. The payload is the timer's ID and due
// time ("<id>@<unix microseconds>"; a timer's due time never changes, a re-plan makes a new
// timer), so the handler can wait for the deadline without a read; it decides everything else
// from PostgreSQL.
const TypeDeadline = "sla:deadline"

// NewDeadlineTask returns the delivery task of a timer.
func NewDeadlineTask(id uuid.UUID, due time.Time) *asynq.Task {
	payload := fmt.Sprintf("%s@%d", id, due.UnixMicro())
	return asynq.NewTask(TypeDeadline, []byte(payload), asynq.Queue(QueueCritical), asynq.MaxRetry(1000))
}

// parseDeadline reads a deadline task's payload ("<id>@<unix microseconds>").
func parseDeadline(p []byte) (id uuid.UUID, due time.Time, err error) {
	s, micros, ok := strings.Cut(string(p), "@")
	if !ok {
		return id, due, errors.New("want <timer id>@<due, unix microseconds>")
	}
	if id, err = uuid.Parse(s); err != nil {
		return id, due, err
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil {
		return id, due, err
	}
	return id, time.UnixMicro(us).UTC(), nil
}

// taskID is the deterministic asynq task ID of a timer's delivery: scheduling twice conflicts
// instead of delivering twice.
func taskID(id uuid.UUID) string { return "sla:" + id.String() }

// earlySleep is how early a delivery may be and still wait in the handler rather than go back to
// the queue: asynq keeps due times in whole seconds and may start a task up to a second early.
const earlySleep = 2 * time.Second

// TimerQueue schedules timer deliveries on asynq. It implements tickets.Scheduler.
type TimerQueue struct {
	client *asynq.Client
	insp   *asynq.Inspector
	store  TimerStore
	clock  clock.Clock
	log    *slog.Logger
}

// NewTimerQueue returns the scheduler over a Redis connection.
func NewTimerQueue(redis asynq.RedisConnOpt, store TimerStore, c clock.Clock, log *slog.Logger) *TimerQueue {
	c = clock.Required(c, "workers.NewTimerQueue")
	return &TimerQueue{client: asynq.NewClient(redis), insp: asynq.NewInspector(redis), store: store, clock: c, log: log}
}

// Close releases the Redis connections.
func (q *TimerQueue) Close() error { return errors.Join(q.client.Close(), q.insp.Close()) }

// Schedule enqueues each timer at its due time, after the transaction that wrote it commits.
// That transaction already marked the timers enqueued (tickets: no second write per intake), so
// only a failure writes here: the timers Redis refused are unmarked for reconciliation's next
// pass. Should that write fail too (or the process die before enqueuing), the overdue sweep
// finds the timer within half an interval of its deadline.
func (q *TimerQueue) Schedule(ctx context.Context, timers []tickets.Timer) {
	var failed []uuid.UUID
	for _, t := range timers {
		if err := q.enqueue(ctx, t.ID, t.DueAt, taskID(t.ID), t.DueAt); err != nil {
			q.log.Warn("timer not enqueued; reconciliation will", "timer_id", t.ID, "error", err)
			failed = append(failed, t.ID)
		}
	}
	if err := q.store.UnmarkEnqueued(ctx, failed); err != nil {
		q.log.Warn("timers not enqueued nor unmarked; the overdue sweep will deliver them", "error", err)
	}
}

// Reschedule enqueues timers not known to be in the queue and marks the enqueued ones: what
// reconciliation does with UnenqueuedTimers. A failure leaves a timer unmarked for the next pass.
func (q *TimerQueue) Reschedule(ctx context.Context, timers []tickets.Timer) {
	done := make([]uuid.UUID, 0, len(timers))
	for _, t := range timers {
		if err := q.enqueue(ctx, t.ID, t.DueAt, taskID(t.ID), t.DueAt); err != nil {
			q.log.Warn("timer not enqueued; the next reconciliation pass retries", "timer_id", t.ID, "error", err)
			continue
		}
		done = append(done, t.ID)
	}
	if err := q.store.MarkEnqueued(ctx, done, q.clock.Now()); err != nil {
		q.log.Warn("timers enqueued but not marked; reconciliation will re-check", "error", err)
	}
}

// enqueue schedules a delivery of the timer (id, due) at at with task ID tid; an ID conflict
// means it is already in the queue, which is success.
func (q *TimerQueue) enqueue(ctx context.Context, id uuid.UUID, due time.Time, tid string, at time.Time) error {
	_, err := q.client.EnqueueContext(ctx, NewDeadlineTask(id, due), asynq.TaskID(tid), asynq.ProcessAt(at))
	if err == nil || errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}

// Cancel removes scheduled deliveries where it still can. One it misses finds its timer
// cancelled and does nothing.
func (q *TimerQueue) Cancel(ctx context.Context, ids []uuid.UUID) {
	for _, id := range ids {
		_ = q.insp.DeleteTask(QueueCritical, taskID(id))
	}
}

// Deliver hands outbox notifications to the delivery workers; a miss waits for the sweep.
func (q *TimerQueue) Deliver(ctx context.Context, ids []uuid.UUID) {
	if err := EnqueueDeliveries(ctx, q.client, ids); err != nil {
		q.log.Warn("notification deliveries not enqueued; the sweep will send them", "error", err)
	}
}

// HandleDeadline delivers a timer: never before its deadline, and only once in effect however
// often it is delivered.
func (h *handlers) HandleDeadline(ctx context.Context, t *asynq.Task) error {
	id, due, err := parseDeadline(t.Payload())
	if err != nil {
		return errors.Join(fmt.Errorf("bad deadline payload %q: %w", t.Payload(), err), asynq.SkipRetry)
	}
	for attempt := 0; ; attempt++ {
		wait := due.Sub(h.deps.Clock.Now())
		if wait > earlySleep {
			// Far too early (a clock step, or a re-planned timer): come back at the due time.
			return h.deps.Queue.enqueue(ctx, id, due, fmt.Sprintf("%s:early:%d", taskID(id), due.UnixMicro()), due)
		}
		if wait > 0 {
			if err := sleep(ctx, wait); err != nil {
				return err
			}
		}
		fired, err := h.firer.fire(ctx, id, attempt == 0)
		if err != nil {
			return err
		}
		if fired.Outcome != tickets.OutcomeEarly || attempt > 3 {
			if fired.Outcome == tickets.OutcomeBreached || fired.Outcome == tickets.OutcomeEscalated {
				h.deps.Log.Info("deadline fired", "timer_id", id, "outcome", fired.Outcome, "late_by", h.deps.Clock.Now().Sub(due))
			}
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryDelay retries timer deliveries quickly (PostgreSQL restarting should delay an escalation
// by seconds, not asynq's default quarter of a minute and more) and everything else with asynq's
// default backoff.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if t.Type() == TypeDeadline {
		d := time.Duration(1<<min(n, 4)) * 500 * time.Millisecond
		return min(d, 5*time.Second)
	}
	return asynq.DefaultRetryDelayFunc(n, err, t)
}

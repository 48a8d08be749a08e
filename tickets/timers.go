package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
)

// Timer is a pending deadline of an incident: PostgreSQL holds it, a queue delivers it.
type Timer struct {
	ID         uuid.UUID
	IncidentID uuid.UUID
	Target     sla.Target
	Level      int
	// Warning is the warning point in thousandths of the target (750: 75 %); 0 for the
	// deadline itself.
	Warning   int
	DueAt     time.Time
	State     string // pending, fired, cancelled
	Outcome   string
	ClaimedAt *time.Time
	Claims    int
	FiredAt   *time.Time
}

type timerRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	IncidentID uuid.UUID
	Target     string
	Level      int
	Warning    int
	DueAt      time.Time
	State      string
	Outcome    string
	EnqueuedAt *time.Time
	ClaimedAt  *time.Time
	Claims     int
	FiredAt    *time.Time
	CreatedAt  time.Time
}

func (timerRow) TableName() string { return "sla_timers" }

func (r timerRow) toTimer() Timer {
	return Timer{ID: r.ID, IncidentID: r.IncidentID, Target: sla.Target(r.Target), Level: r.Level, Warning: r.Warning, DueAt: r.DueAt.UTC(),
		State: r.State, Outcome: r.Outcome, ClaimedAt: r.ClaimedAt, Claims: r.Claims, FiredAt: r.FiredAt}
}

// Scheduler delivers timers at their due time (asynq in production). Schedule is called after the
// transaction that created the timers commits; that transaction marks them enqueued already when
// a scheduler is wired (markEnqueued), so a delivery that reaches the queue costs no further
// write. Schedule unmarks the timers it failed to enqueue, and reconciliation re-schedules every
// pending timer not marked enqueued. Cancel removes deliveries that are no
// longer needed, where it can; a delivery it misses finds its timer cancelled and does nothing.
// Deliver hands outbox notifications to the delivery queue (a miss waits for the sweep).
type Scheduler interface {
	Schedule(ctx context.Context, timers []Timer)
	Cancel(ctx context.Context, ids []uuid.UUID)
	Deliver(ctx context.Context, notifications []uuid.UUID)
}

// syncTimers makes the pending timers of an incident match its plan, inside the caller's
// transaction (see diffTimers). It returns the timers to schedule and to cancel after commit.
func (s *Service) syncTimers(ctx context.Context, tx dbx.Tx, incID uuid.UUID, res sla.Result, now time.Time) (added []Timer, cancelled []uuid.UUID, err error) {
	rows, err := s.store.pendingTimersTx(ctx, tx, incID)
	if err != nil {
		return nil, nil, err
	}
	stops, adds := diffTimers(incID, rows, res, now)
	if len(stops) == 0 && len(adds) == 0 {
		return nil, nil, nil
	}
	s.markEnqueued(adds, now)
	if err := s.store.writeTimersTx(ctx, tx, stops, adds); err != nil {
		return nil, nil, err
	}
	due, target := nextDeadline(afterStops(rows, stops, adds))
	if err := s.store.setNextDeadline(ctx, tx, incID, due, target); err != nil {
		return nil, nil, err
	}
	return toTimers(adds), stopIDs(stops), nil
}

// afterStops is the pending timers once stops and adds are written.
func afterStops(pending []timerRow, stops []timerStop, adds []timerRow) []timerRow {
	gone := make(map[uuid.UUID]bool, len(stops))
	for _, st := range stops {
		gone[st.ID] = true
	}
	out := make([]timerRow, 0, len(pending)+len(adds))
	for _, t := range pending {
		if !gone[t.ID] {
			out = append(out, t)
		}
	}
	return append(out, adds...)
}

// nextDeadline is an incident's nearest pending deadline, which the engineer queue orders by
// (incidents.next_due_at, next_target): soonest due time, then target name. It is the one copy of
// that rule (migration 00037 dropped SQL's): whoever changes an incident's pending timers writes
// it, under the incident's lock, in the statement that writes them or right after. Warnings
// are no deadlines and do not count.
func nextDeadline(pending []timerRow) (*time.Time, *string) {
	var best *timerRow
	for i := range pending {
		t := &pending[i]
		if t.Warning > 0 {
			continue
		}
		if best == nil || t.DueAt.Before(best.DueAt) || (t.DueAt.Equal(best.DueAt) && t.Target < best.Target) {
			best = t
		}
	}
	if best == nil {
		return nil, nil
	}
	due, target := best.DueAt, best.Target
	return &due, &target
}

// timerStop ends a pending timer: cancelled (the plan no longer needs it) or fired.
type timerStop struct {
	ID      uuid.UUID
	State   string // cancelled, fired
	Outcome string
	FiredAt *time.Time
}

// timerKey names a pending timer of an incident: a target's deadline (warning 0) or one of its
// warning points.
type timerKey struct {
	target  sla.Target
	warning int
}

// diffTimers compares an incident's pending timers with its plan: a new pending timer for each
// pending deadline and each warning point still ahead without one, and the cancellation of
// pending timers the plan no longer needs. A timer whose deadline has passed and is still what
// the plan calls breached (or escalated by that deadline) is left to fire, so an action that
// races a late delivery never erases it; so is a warning the plan still places where it stands.
// A warning point that passed without a timer (told already, or passed before its plan was
// made) gets none: each point warns once per plan.
func diffTimers(incID uuid.UUID, pending []timerRow, res sla.Result, now time.Time) (stops []timerStop, adds []timerRow) {
	have := make(map[timerKey]bool, len(pending))
	want := make(map[sla.Target]sla.Deadline, len(res.Deadlines))
	for _, d := range res.Deadlines {
		want[d.Target] = d
	}
	for _, r := range pending {
		t := sla.Target(r.Target)
		d, ok := want[t]
		var keep bool
		if r.Warning > 0 {
			w, found := warningOf(d, r.Warning)
			keep = ok && found && w.Equal(r.DueAt)
		} else {
			keep = ok && ((d.State == sla.Pending && d.DueAt.Equal(r.DueAt)) || (!r.DueAt.After(now) && passedAt(d, r.DueAt)))
		}
		if keep {
			have[timerKey{t, r.Warning}] = true
			continue
		}
		outcome := "superseded"
		if ok {
			outcome = string(d.State)
		}
		stops = append(stops, timerStop{ID: r.ID, State: "cancelled", Outcome: outcome})
	}
	for _, d := range res.Deadlines {
		if d.State != sla.Pending || d.DueAt.IsZero() {
			continue
		}
		if !have[timerKey{d.Target, 0}] {
			adds = append(adds, timerRow{ID: uuid.Must(uuid.NewV7()), IncidentID: incID, Target: string(d.Target), Level: d.Level,
				DueAt: d.DueAt, State: "pending", CreatedAt: now})
		}
		for _, w := range d.Warnings {
			if w.At.After(now) && !have[timerKey{d.Target, w.Permille}] {
				adds = append(adds, timerRow{ID: uuid.Must(uuid.NewV7()), IncidentID: incID, Target: string(d.Target), Level: d.Level,
					Warning: w.Permille, DueAt: w.At.Truncate(time.Microsecond), State: "pending", CreatedAt: now})
			}
		}
	}
	return stops, adds
}

// warningOf returns when the plan places warning point p of a pending deadline, to the
// microsecond PostgreSQL keeps (a fraction of an odd length may fall between microseconds).
func warningOf(d sla.Deadline, p int) (time.Time, bool) {
	if d.State != sla.Pending {
		return time.Time{}, false
	}
	for _, w := range d.Warnings {
		if w.Permille == p {
			return w.At.Truncate(time.Microsecond), true
		}
	}
	return time.Time{}, false
}

// passedAt reports whether the plan says d's deadline passed at due: a response, update or
// remediation target breached then, or an escalation level reached by that deadline. Only then
// does the timer due at due have something to record.
func passedAt(d sla.Deadline, due time.Time) bool {
	switch d.State {
	case sla.Breached:
		return d.BreachedAt.Equal(due)
	case sla.StateEscalated:
		return d.Cause == sla.CauseDeadline && d.EscalatedAt.Equal(due)
	}
	return false
}

// markEnqueued marks new timers enqueued in the transaction that inserts them when a scheduler
// will enqueue them after commit (see Scheduler).
func (s *Service) markEnqueued(adds []timerRow, now time.Time) {
	if s.sched == nil {
		return
	}
	for i := range adds {
		adds[i].EnqueuedAt = &now
	}
}

func stopIDs(stops []timerStop) []uuid.UUID {
	var ids []uuid.UUID
	for _, st := range stops {
		if st.State == "cancelled" {
			ids = append(ids, st.ID)
		}
	}
	return ids
}

func toTimers(rows []timerRow) []Timer {
	out := make([]Timer, len(rows))
	for i, r := range rows {
		out[i] = r.toTimer()
	}
	return out
}

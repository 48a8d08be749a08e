package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
	"gorm.io/gorm"
)

// Timer is a pending deadline of an incident: PostgreSQL holds it, a queue delivers it.
type Timer struct {
	ID         uuid.UUID
	IncidentID uuid.UUID
	Target     sla.Target
	Level      int
	DueAt      time.Time
	State      string // pending, fired, cancelled
	Outcome    string
	ClaimedAt  *time.Time
	Claims     int
	FiredAt    *time.Time
}

type timerRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	IncidentID uuid.UUID
	Target     string
	Level      int
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
	return Timer{ID: r.ID, IncidentID: r.IncidentID, Target: sla.Target(r.Target), Level: r.Level, DueAt: r.DueAt.UTC(),
		State: r.State, Outcome: r.Outcome, ClaimedAt: r.ClaimedAt, Claims: r.Claims, FiredAt: r.FiredAt}
}

// Scheduler delivers timers at their due time (asynq in production). Schedule is called after the
// transaction that created the timers commits; a failure is repaired by reconciliation, which
// re-schedules every pending timer not marked enqueued. Cancel removes deliveries that are no
// longer needed, where it can; a delivery it misses finds its timer cancelled and does nothing.
// Deliver hands outbox notifications to the delivery queue (a miss waits for the sweep).
type Scheduler interface {
	Schedule(ctx context.Context, timers []Timer)
	Cancel(ctx context.Context, ids []uuid.UUID)
	Deliver(ctx context.Context, notifications []uuid.UUID)
}

// syncTimers makes the pending timers of an incident match its plan, inside the caller's
// transaction: a new pending timer for each pending deadline without one, and the cancellation of
// pending timers the plan no longer needs. A timer whose deadline has passed and is still what the
// plan calls breached is left to fire, so an action that races a late delivery never erases the
// breach. It returns the timers to schedule and to cancel after commit.
func syncTimers(ctx context.Context, tx *gorm.DB, incID uuid.UUID, res sla.Result, now time.Time) (added []Timer, cancelled []uuid.UUID, err error) {
	var rows []timerRow
	if err := tx.WithContext(ctx).Where("incident_id = ? AND state = 'pending'", incID).Find(&rows).Error; err != nil {
		return nil, nil, err
	}
	pending := map[sla.Target]timerRow{}
	for _, r := range rows {
		pending[sla.Target(r.Target)] = r
	}
	want := map[sla.Target]sla.Deadline{}
	for _, d := range res.Deadlines {
		want[d.Target] = d
	}
	for t, r := range pending {
		d, ok := want[t]
		keep := ok && ((d.State == sla.Pending && d.DueAt.Equal(r.DueAt)) ||
			(d.State == sla.Breached && !r.DueAt.After(now) && d.BreachedAt.Equal(r.DueAt)))
		if keep {
			continue
		}
		outcome := "superseded"
		if ok {
			outcome = string(d.State)
		}
		if err := tx.WithContext(ctx).Model(&timerRow{}).Where("id = ? AND state = 'pending'", r.ID).
			Updates(map[string]any{"state": "cancelled", "outcome": outcome}).Error; err != nil {
			return nil, nil, err
		}
		cancelled = append(cancelled, r.ID)
		delete(pending, t)
	}
	var rows2 []timerRow
	for _, d := range res.Deadlines {
		if d.State != sla.Pending || d.DueAt.IsZero() {
			continue
		}
		if _, ok := pending[d.Target]; ok {
			continue
		}
		rows2 = append(rows2, timerRow{ID: uuid.Must(uuid.NewV7()), IncidentID: incID, Target: string(d.Target), Level: d.Level,
			DueAt: d.DueAt, State: "pending", CreatedAt: now})
	}
	if len(rows2) > 0 {
		// One multi-row INSERT: a new incident has up to four timers.
		if err := tx.WithContext(ctx).Create(&rows2).Error; err != nil {
			return nil, nil, err
		}
	}
	for _, r := range rows2 {
		added = append(added, r.toTimer())
	}
	return added, cancelled, nil
}

// FindTimer returns a timer, or not_found.
func (s *Store) FindTimer(ctx context.Context, id uuid.UUID) (Timer, error) {
	var r timerRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return Timer{}, translate(err, "timer")
	}
	return r.toTimer(), nil
}

// ClaimTimer records that a delivery started work on a pending timer, so reconciliation can tell
// a delivery that died mid-task from one still queued. It reports false when the timer is no
// longer pending.
func (s *Store) ClaimTimer(ctx context.Context, id uuid.UUID, now time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Model(&timerRow{}).Where("id = ? AND state = 'pending'", id).
		Updates(map[string]any{"claimed_at": now, "claims": gorm.Expr("claims + 1")})
	return res.RowsAffected == 1, translate(res.Error, "timer")
}

// MarkEnqueued records that the timers' deliveries are in the queue.
func (s *Store) MarkEnqueued(ctx context.Context, ids []uuid.UUID, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return translate(s.db.WithContext(ctx).Model(&timerRow{}).Where("id IN ?", ids).Update("enqueued_at", now).Error, "timers")
}

// ForgetEnqueued marks every pending timer as not enqueued, after the queue lost its data.
func (s *Store) ForgetEnqueued(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Model(&timerRow{}).Where("state = 'pending' AND enqueued_at IS NOT NULL").Update("enqueued_at", nil)
	return res.RowsAffected, translate(res.Error, "timers")
}

// UnenqueuedTimers returns up to limit pending timers not known to be in the queue, soonest first.
func (s *Store) UnenqueuedTimers(ctx context.Context, limit int) ([]Timer, error) {
	var rows []timerRow
	err := s.db.WithContext(ctx).Where("state = 'pending' AND enqueued_at IS NULL").Order("due_at").Limit(limit).Find(&rows).Error
	return toTimers(rows), translate(err, "timers")
}

// OverdueTimers returns pending timers due before cutoff: unclaimed ones (a delivery that never
// started: lost, or stuck behind a backlog) and ones claimed before cutoff (a delivery that died
// mid-task).
func (s *Store) OverdueTimers(ctx context.Context, cutoff time.Time, limit int) ([]Timer, error) {
	var rows []timerRow
	err := s.db.WithContext(ctx).Where("state = 'pending' AND due_at < ? AND (claimed_at IS NULL OR claimed_at < ?)", cutoff, cutoff).
		Order("due_at").Limit(limit).Find(&rows).Error
	return toTimers(rows), translate(err, "timers")
}

func toTimers(rows []timerRow) []Timer {
	out := make([]Timer, len(rows))
	for i, r := range rows {
		out[i] = r.toTimer()
	}
	return out
}

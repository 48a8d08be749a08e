package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// pendingTimersTx locks an incident's pending timers through tx, in the one timer lock order
// (see lockPending), so that ending some of them cannot deadlock with reconciliation's or the
// claims' bulk writes.
func (s *Store) pendingTimersTx(ctx context.Context, tx dbx.Tx, incID uuid.UUID) ([]timerRow, error) {
	var rows []timerRow
	err := tx.Gorm().WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("incident_id = ? AND state = 'pending'", incID).
		Order("target, id").Find(&rows).Error
	return rows, err
}

// setNextDeadline writes an incident's nearest pending deadline (see nextDeadline).
func (s *Store) setNextDeadline(ctx context.Context, tx dbx.Tx, incID uuid.UUID, due *time.Time, target *string) error {
	return tx.Gorm().WithContext(ctx).Exec("UPDATE incidents SET next_due_at = ?, next_target = ? WHERE id = ?", due, target, incID).Error
}

// pendingStats counts the pending timers by kind and finds the oldest due time (nil: none).
func (s *Store) pendingStats(ctx context.Context) (deadlines, warnings int64, oldest *time.Time, err error) {
	var r struct {
		Deadlines, Warnings int64
		Oldest              *time.Time
	}
	err = s.db.WithContext(ctx).Raw(`SELECT count(*) FILTER (WHERE warning = 0) AS deadlines, count(*) FILTER (WHERE warning > 0) AS warnings,
		min(due_at) AS oldest FROM sla_timers WHERE state = 'pending'`).Scan(&r).Error
	return r.Deadlines, r.Warnings, r.Oldest, err
}

// writeTimersTx is writeTimers through a step's transaction.
func (s *Store) writeTimersTx(ctx context.Context, tx dbx.Tx, stops []timerStop, adds []timerRow) error {
	return writeTimers(ctx, tx.Gorm(), stops, adds)
}

// writeTimers ends and inserts timers in two statements whatever their number: a burst of due
// deadlines is decided in batches, and a statement per timer was most of its cost.
func writeTimers(ctx context.Context, tx *gorm.DB, stops []timerStop, adds []timerRow) error {
	if len(stops) > 0 {
		args := make([]any, 0, 4*len(stops))
		for _, st := range stops {
			args = append(args, st.ID, st.State, st.Outcome, st.FiredAt)
		}
		if err := tx.WithContext(ctx).Exec(`UPDATE sla_timers t SET state = v.state, outcome = v.outcome, fired_at = v.fired_at
			FROM (VALUES `+dbx.Values(len(stops), "(?::uuid, ?::text, ?::text, ?::timestamptz)")+`) AS v (id, state, outcome, fired_at) WHERE t.id = v.id AND t.state = 'pending'`, args...).Error; err != nil {
			return err
		}
	}
	if len(adds) > 0 {
		if err := tx.WithContext(ctx).CreateInBatches(&adds, 500).Error; err != nil {
			return err
		}
	}
	return nil
}

// lockPending is a subquery that locks the pending timers matching cond in the one order every
// writer of timers takes: incident, then the incident's timers by target. Lifecycle steps and
// firing lock the incident first and then its pending timers in that order; the bulk writes that
// lock no incident (claims, enqueue marks, forgetting the queue after Redis lost its data) lock
// their rows in the same order, or a bulk UPDATE walking rows in physical order deadlocks
// against a firing transaction holding one of them (seen after FLUSHALL with 1,500 timers).
func lockPending(cond string) string {
	return "SELECT id FROM sla_timers WHERE state = 'pending' AND " + cond + " ORDER BY incident_id, target, id FOR UPDATE"
}

// ClaimTimers records that deliveries started work on pending timers, so reconciliation can
// tell a delivery that died mid-task from one still queued. It returns the timers that are still
// pending (and now claimed); the others need nothing more.
func (s *Store) ClaimTimers(ctx context.Context, ids []uuid.UUID, now time.Time) (map[uuid.UUID]bool, error) {
	claimed := make(map[uuid.UUID]bool, len(ids))
	if len(ids) == 0 {
		return claimed, nil
	}
	var got []uuid.UUID
	err := s.db.WithContext(ctx).Raw(`UPDATE sla_timers t SET claimed_at = ?, claims = t.claims + 1
		FROM (`+lockPending("id IN ?")+`) l WHERE t.id = l.id RETURNING t.id`, now, ids).Scan(&got).Error
	if err != nil {
		return nil, translate(err, "timers")
	}
	for _, id := range got {
		claimed[id] = true
	}
	return claimed, nil
}

// MarkEnqueued records that the timers' deliveries are in the queue.
func (s *Store) MarkEnqueued(ctx context.Context, ids []uuid.UUID, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return translate(s.db.WithContext(ctx).Exec(`UPDATE sla_timers t SET enqueued_at = ? FROM (`+lockPending("id IN ?")+`) l WHERE t.id = l.id`,
		now, ids).Error, "timers")
}

// UnmarkEnqueued records that the timers' deliveries did not reach the queue, so that
// reconciliation's next pass schedules them.
func (s *Store) UnmarkEnqueued(ctx context.Context, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	return translate(s.db.WithContext(ctx).Exec(`UPDATE sla_timers t SET enqueued_at = NULL FROM (`+lockPending("id IN ?")+`) l WHERE t.id = l.id`,
		ids).Error, "timers")
}

// ForgetEnqueued marks every pending timer as not enqueued, after the queue lost its data.
func (s *Store) ForgetEnqueued(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE sla_timers t SET enqueued_at = NULL FROM (` + lockPending("enqueued_at IS NOT NULL") + `) l WHERE t.id = l.id`)
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

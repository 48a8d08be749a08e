package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm/clause"
)

// dueRow is a delivered timer as firing first reads it, with its incident's planning pin.
type dueRow struct {
	ID               uuid.UUID
	IncidentID       uuid.UUID
	State            string
	DueAt            time.Time
	Tier             string
	PolicyVersion    int
	CalendarVersions map[string]int `gorm:"serializer:json"`
}

// findDue reads the timers ids with their incidents' pins, outside any transaction; missing
// timers are absent from the answer.
func (s *Store) findDue(ctx context.Context, ids []uuid.UUID) ([]dueRow, error) {
	var rows []dueRow
	if err := s.db.WithContext(ctx).Raw(`SELECT t.id, t.incident_id, t.state, t.due_at, i.tier, i.policy_version, i.calendar_versions
		FROM sla_timers t JOIN incidents i ON i.id = t.incident_id WHERE t.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return nil, translate(err, "timer")
	}
	return rows, nil
}

// inTx runs fn in one write transaction at now.
func (s *Store) inTx(ctx context.Context, now time.Time, fn func(dbx.Tx) error) error {
	return dbx.InTx(ctx, s.db, now, fn)
}

// firingRows is what a firing batch reads under lock: its incidents, their pending timers and
// their timelines.
type firingRows struct {
	incidents []incidentRow
	pending   []timerRow
	events    []eventRow
}

// lockFiring reads the incidents incIDs and their pending timers under lock, and their
// timelines. Lock order is incident → timer, as every lifecycle step takes it, and incidents are
// locked in id order, so two batches cannot deadlock.
func lockFiring(ctx context.Context, tx dbx.Tx, incIDs []uuid.UUID) (firingRows, error) {
	db := tx.Gorm().WithContext(ctx)
	var r firingRows
	if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN ?", incIDs).Order("id").Find(&r.incidents).Error; err != nil {
		return r, err
	}
	// Both reads are ordered as their incident indexes are: ordered by id alone, the planner may
	// prefer walking the primary key and filtering, when its statistics lag behind a burst.
	if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("incident_id IN ? AND state = 'pending'", incIDs).Order("incident_id, target").Find(&r.pending).Error; err != nil {
		return r, err
	}
	if err := db.Where("incident_id IN ?", incIDs).Order("incident_id, id").Find(&r.events).Error; err != nil {
		return r, err
	}
	return r, nil
}

// insertEvents stores timeline entries in statements of up to 500 rows and sets their IDs.
func insertEvents(ctx context.Context, tx dbx.Tx, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		r, err := toEventRow(e)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	if err := tx.Gorm().WithContext(ctx).CreateInBatches(&rows, 500).Error; err != nil {
		return err
	}
	for i := range rows {
		events[i].ID = rows[i].ID
	}
	return nil
}

// storeTimers ends and inserts a batch's timers (writeTimers).
func storeTimers(ctx context.Context, tx dbx.Tx, stops []timerStop, adds []timerRow) error {
	return writeTimers(ctx, tx.Gorm(), stops, adds)
}

// writeIncidentChanges stores a batch's escalation levels and nearest deadlines in one
// statement; updated_at moves (to the transaction's now) only on escalated incidents.
func writeIncidentChanges(ctx context.Context, tx dbx.Tx, changes map[uuid.UUID]*incidentChange) error {
	if len(changes) == 0 {
		return nil
	}
	args := []any{tx.Now()}
	for id, c := range changes {
		args = append(args, id, c.level, c.touched, c.nextDue, c.nextTarget)
	}
	return tx.Gorm().WithContext(ctx).Exec(`UPDATE incidents i SET escalation_level = v.level, next_due_at = v.due, next_target = v.target,
			updated_at = CASE WHEN v.touched THEN ?::timestamptz ELSE i.updated_at END
		FROM (VALUES `+dbx.Values(len(changes), "(?::uuid, ?::smallint, ?::boolean, ?::timestamptz, ?::text)")+`) AS v (id, level, touched, due, target) WHERE i.id = v.id`, args...).Error
}

// references returns the references of the incidents ids, by ID.
func (s *Store) references(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID        uuid.UUID
		Reference string
	}
	if err := s.db.WithContext(ctx).Model(&incidentRow{}).Select("id, reference").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, translate(err, "incidents")
	}
	for _, r := range rows {
		out[r.ID] = r.Reference
	}
	return out, nil
}

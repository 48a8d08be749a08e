package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// step opens a lifecycle step's transaction: it locks incident id, reads its timeline and hands
// both to fn with the step's dbx.Tx. The step's now is read from now once the lock is held, so
// steps queued on one incident record instants in the order they ran.
func (s *Store) step(ctx context.Context, id uuid.UUID, now func() time.Time, fn func(tx dbx.Tx, inc Incident, events []Event) error) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row incidentRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return err
		}
		var rows []eventRow
		if err := tx.Where("incident_id = ?", id).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		events := make([]Event, len(rows))
		for i, r := range rows {
			events[i] = r.toEvent()
		}
		return fn(dbx.NewTx(tx, now()), row.toIncident(), events)
	})
}

// appendEvents inserts events on the timeline through tx, one statement each, and sets their IDs.
func (s *Store) appendEvents(ctx context.Context, tx dbx.Tx, events []Event) error {
	for i := range events {
		r, err := toEventRow(events[i])
		if err != nil {
			return err
		}
		if err := tx.Gorm().WithContext(ctx).Create(&r).Error; err != nil {
			return err
		}
		events[i].ID = r.ID
	}
	return nil
}

// saveStep writes the columns a lifecycle step may change.
func (s *Store) saveStep(ctx context.Context, tx dbx.Tx, inc Incident) error {
	r := toIncidentRow(inc)
	return tx.Gorm().WithContext(ctx).Model(&incidentRow{}).Where("id = ?", inc.ID).Select("status", "assignee_id", "severity",
		"severity_confirmation_required", "scope", "escalation_level", "updated_at", "resolution_confirmed_at").Updates(&r).Error
}

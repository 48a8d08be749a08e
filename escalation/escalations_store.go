package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type escalationRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	IncidentID     uuid.UUID
	Level          int
	RecipientID    uuid.UUID
	Reason         string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

func (escalationRow) TableName() string { return "escalations" }

// insertEscalations writes the rows in tx; a row already written (incident, level, recipient)
// is skipped, so a fact decided twice records one escalation.
func insertEscalations(ctx context.Context, tx dbx.Tx, rows []escalationRow) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.Gorm().WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 1000).Error
}

// findEscalations returns up to req.Limit+1 of the user's escalations after req.Cursor, newest
// first; pendingOnly leaves out the acknowledged ones.
func (s *Store) findEscalations(ctx context.Context, userID uuid.UUID, pendingOnly bool, req page.Request) ([]escalationRow, error) {
	q := s.db.WithContext(ctx).Where("recipient_id = ?", userID)
	if pendingOnly {
		q = q.Where("acknowledged_at IS NULL")
	}
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.NewestFirst)
	if err != nil {
		return nil, err
	}
	var rows []escalationRow
	if err := q.Order("created_at DESC, id DESC").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "escalations")
	}
	return rows, nil
}

// acknowledge marks the user's escalation acknowledged (the first time counts) and returns it;
// another user's is not_found.
func (s *Store) acknowledge(ctx context.Context, userID, id uuid.UUID, now time.Time) (escalationRow, error) {
	var rows []escalationRow
	res := s.db.WithContext(ctx).Raw(`UPDATE escalations SET acknowledged_at = COALESCE(acknowledged_at, ?)
		WHERE id = ? AND recipient_id = ? RETURNING *`, now, id, userID).Scan(&rows)
	if res.Error != nil {
		return escalationRow{}, dbx.Translate(res.Error, "escalation")
	}
	if len(rows) == 0 {
		return escalationRow{}, dbx.Translate(gorm.ErrRecordNotFound, "escalation")
	}
	return rows[0], nil
}

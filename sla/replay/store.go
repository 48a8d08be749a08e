package replay

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

type replayRow struct {
	ID          uuid.UUID `gorm:"primaryKey"`
	RequestedBy uuid.UUID
	Request     json.RawMessage `gorm:"type:jsonb"`
	State       string
	Total       int
	Done        int
	Result      json.RawMessage `gorm:"type:jsonb"`
	Error       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
}

func (replayRow) TableName() string { return "sla_replays" }

// Store keeps replays in sla_replays, the only table this package writes.
type Store struct{ db *gorm.DB }

// NewStore returns the store of replays on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

func (s *Store) create(ctx context.Context, r replayRow) error {
	return dbx.Translate(s.db.WithContext(ctx).Create(&r).Error, "replay")
}

func (s *Store) progress(ctx context.Context, id uuid.UUID, done int, now time.Time) error {
	return dbx.Translate(s.db.WithContext(ctx).Model(&replayRow{}).Where("id = ? AND state = 'running'", id).
		Updates(map[string]any{"done": done, "updated_at": now}).Error, "replay")
}

func (s *Store) finish(ctx context.Context, id uuid.UUID, done int, result json.RawMessage, failure string, now time.Time) error {
	state := "done"
	if failure != "" {
		state = "failed"
	}
	vals := map[string]any{"state": state, "done": done, "error": failure, "updated_at": now, "finished_at": now}
	if result != nil {
		vals["result"] = result
	}
	return dbx.Translate(s.db.WithContext(ctx).Model(&replayRow{}).Where("id = ?", id).Updates(vals).Error, "replay")
}

func (s *Store) find(ctx context.Context, id uuid.UUID) (replayRow, error) {
	var r replayRow
	err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error
	return r, dbx.Translate(err, "replay")
}

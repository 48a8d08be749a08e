package web

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// PresenceStore records which staff users have an incident open, in PostgreSQL (table
// incident_presence), so every API instance sees the same. It knows users by ID only: their
// names are internal/accounts' (see Presence).
type PresenceStore struct{ db *gorm.DB }

// NewPresenceStore returns the presence store over db.
func NewPresenceStore(db *gorm.DB) *PresenceStore { return &PresenceStore{db: db} }

// touch records that user has the incident open at now (typing when they are writing in it) and
// returns the other users present since, most recent first, without their names.
func (p *PresenceStore) touch(ctx context.Context, incidentID, userID uuid.UUID, typing bool, now, since time.Time) ([]Present, error) {
	db := p.db.WithContext(ctx)
	err := db.Exec(`INSERT INTO incident_presence (incident_id, user_id, seen_at, typing) VALUES (?, ?, ?, ?)
		ON CONFLICT (incident_id, user_id) DO UPDATE SET seen_at = excluded.seen_at,
		typing = excluded.typing OR (incident_presence.typing AND incident_presence.seen_at > excluded.seen_at - interval '30 seconds')`,
		incidentID, userID, now, typing).Error
	if err != nil {
		return nil, dbx.Translate(err, "presence")
	}
	var out []Present
	err = db.Raw(`SELECT user_id, seen_at, typing FROM incident_presence
		WHERE incident_id = ? AND user_id <> ? AND seen_at > ? ORDER BY seen_at DESC`,
		incidentID, userID, since).Scan(&out).Error
	if err != nil {
		return nil, dbx.Translate(err, "presence")
	}
	return out, nil
}

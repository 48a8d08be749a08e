package web

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// PresenceWindow is how long a staff user counts as working on an incident after their page last
// reported in (the page reports every 20 s while open, and when they type).
const PresenceWindow = 2 * time.Minute

// Presence records which staff users have an incident open, in PostgreSQL (table
// incident_presence), so every API instance sees the same.
type Presence struct{ db *gorm.DB }

// NewPresence returns the presence store over db.
func NewPresence(db *gorm.DB) *Presence { return &Presence{db: db} }

// Present is another staff user on the same incident.
type Present struct {
	UserID uuid.UUID
	Name   string
	SeenAt time.Time
	Typing bool
}

// Touch records that user has the incident open now (typing when they are writing in it) and
// returns the other staff users present within PresenceWindow, most recent first.
func (p *Presence) Touch(ctx context.Context, incidentID, userID uuid.UUID, typing bool, now time.Time) ([]Present, error) {
	db := p.db.WithContext(ctx)
	err := db.Exec(`INSERT INTO incident_presence (incident_id, user_id, seen_at, typing) VALUES (?, ?, ?, ?)
		ON CONFLICT (incident_id, user_id) DO UPDATE SET seen_at = excluded.seen_at,
		typing = excluded.typing OR (incident_presence.typing AND incident_presence.seen_at > excluded.seen_at - interval '30 seconds')`,
		incidentID, userID, now, typing).Error
	if err != nil {
		return nil, dbx.Translate(err, "presence")
	}
	var out []Present
	err = db.Raw(`SELECT p.user_id, u.name, p.seen_at, p.typing FROM incident_presence p JOIN users u ON u.id = p.user_id
		WHERE p.incident_id = ? AND p.user_id <> ? AND p.seen_at > ? ORDER BY p.seen_at DESC`,
		incidentID, userID, now.Add(-PresenceWindow)).Scan(&out).Error
	if err != nil {
		return nil, dbx.Translate(err, "presence")
	}
	return out, nil
}

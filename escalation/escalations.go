package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
)

// Escalation is one escalation addressed to a manager.
type Escalation struct {
	ID             uuid.UUID
	IncidentID     uuid.UUID
	Reference      string
	Title          string
	Tier           string
	Severity       int
	Level          int
	Reason         string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

// Escalations reads and acknowledges escalations.
type Escalations struct{ db *gorm.DB }

// NewEscalations returns the escalation reader over db.
func NewEscalations(db *gorm.DB) *Escalations { return &Escalations{db: db} }

// Mine lists the escalations addressed to the user, newest first, a page at a time (see
// internal/page); pendingOnly leaves out the acknowledged ones. It returns the next page's
// cursor, empty on the last page.
// Errors: invalid_value (cursor, limit).
func (e *Escalations) Mine(ctx context.Context, userID uuid.UUID, pendingOnly bool, req page.Request) ([]Escalation, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	q := escalationSelect + ` WHERE e.recipient_id = ?`
	args := []any{userID}
	if pendingOnly {
		q += ` AND e.acknowledged_at IS NULL`
	}
	if req.Cursor != nil {
		id, err := req.Cursor.UUID()
		if err != nil {
			return nil, "", err
		}
		q += ` AND (e.created_at, e.id) < (?, ?)`
		args = append(args, req.Cursor.At, id)
	}
	var out []Escalation
	if err := e.db.WithContext(ctx).Raw(q+` ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, append(args, req.Limit+1)...).Scan(&out).Error; err != nil {
		return nil, "", dbx.Translate(err, "escalations")
	}
	if out == nil {
		out = []Escalation{}
	}
	out, next := page.Cut(out, req.Limit, func(x Escalation) page.Cursor { return page.Cursor{At: x.CreatedAt, ID: x.ID.String()} })
	return out, next, nil
}

const escalationSelect = `SELECT e.id, e.incident_id, i.reference, i.title, i.tier, i.severity, e.level, e.reason, e.created_at, e.acknowledged_at
		FROM escalations e JOIN incidents i ON i.id = e.incident_id`

// Acknowledge marks the user's escalation acknowledged (the first time counts); another user's
// is not_found.
func (e *Escalations) Acknowledge(ctx context.Context, userID, id uuid.UUID, now time.Time) (Escalation, error) {
	res := e.db.WithContext(ctx).Model(&escalationRow{}).Where("id = ? AND recipient_id = ?", id, userID).
		Update("acknowledged_at", gorm.Expr("COALESCE(acknowledged_at, ?)", now))
	if res.Error != nil {
		return Escalation{}, dbx.Translate(res.Error, "escalation")
	}
	if res.RowsAffected == 0 {
		return Escalation{}, dbx.Translate(gorm.ErrRecordNotFound, "escalation")
	}
	var out []Escalation
	if err := e.db.WithContext(ctx).Raw(escalationSelect+` WHERE e.id = ? AND e.recipient_id = ?`, id, userID).Scan(&out).Error; err != nil {
		return Escalation{}, dbx.Translate(err, "escalation")
	}
	if len(out) == 0 {
		return Escalation{}, dbx.Translate(gorm.ErrRecordNotFound, "escalation")
	}
	return out[0], nil
}

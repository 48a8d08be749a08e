package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// Escalation is one escalation addressed to a manager.
type Escalation struct {
	ID             uuid.UUID  `json:"id"`
	IncidentID     uuid.UUID  `json:"incident_id"`
	Reference      string     `json:"reference"`
	Title          string     `json:"title"`
	Tier           string     `json:"tier"`
	Severity       int        `json:"severity"`
	Level          int        `json:"level"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
}

// Escalations reads and acknowledges escalations.
type Escalations struct{ db *gorm.DB }

// NewEscalations returns the escalation reader over db.
func NewEscalations(db *gorm.DB) *Escalations { return &Escalations{db: db} }

// Mine lists the escalations addressed to the user, newest first; pendingOnly leaves out the
// acknowledged ones.
func (e *Escalations) Mine(ctx context.Context, userID uuid.UUID, pendingOnly bool) ([]Escalation, error) {
	q := `SELECT e.id, e.incident_id, i.reference, i.title, i.tier, i.severity, e.level, e.reason, e.created_at, e.acknowledged_at
		FROM escalations e JOIN incidents i ON i.id = e.incident_id WHERE e.recipient_id = ?`
	if pendingOnly {
		q += ` AND e.acknowledged_at IS NULL`
	}
	var out []Escalation
	if err := e.db.WithContext(ctx).Raw(q+` ORDER BY e.created_at DESC, e.id DESC LIMIT 500`, userID).Scan(&out).Error; err != nil {
		return nil, dbx.Translate(err, "escalations")
	}
	if out == nil {
		out = []Escalation{}
	}
	return out, nil
}

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
	all, err := e.Mine(ctx, userID, false)
	if err != nil {
		return Escalation{}, err
	}
	for _, x := range all {
		if x.ID == id {
			return x, nil
		}
	}
	return Escalation{}, dbx.Translate(gorm.ErrRecordNotFound, "escalation")
}

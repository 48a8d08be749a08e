package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// reclassRow is a reclassification_requests row.
type reclassRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	IncidentID     uuid.UUID
	RequestedBy    uuid.UUID
	Reason         string
	State          string
	DecidedBy      *uuid.UUID
	DecisionReason string
	CreatedAt      time.Time
	DecidedAt      *time.Time
}

func (reclassRow) TableName() string { return "reclassification_requests" }

func (r reclassRow) toReclassification() Reclassification {
	return Reclassification{ID: r.ID, IncidentID: r.IncidentID, RequestedBy: r.RequestedBy, Reason: r.Reason, State: r.State,
		DecidedBy: r.DecidedBy, DecisionReason: r.DecisionReason, CreatedAt: r.CreatedAt, DecidedAt: r.DecidedAt}
}

// createReclass inserts a reclassification request through the step's transaction.
func (s *Store) createReclass(ctx context.Context, tx dbx.Tx, req reclassRow) error {
	return tx.Gorm().WithContext(ctx).Create(&req).Error
}

// findReclass reads a reclassification request.
func (s *Store) findReclass(ctx context.Context, id uuid.UUID) (reclassRow, error) {
	var req reclassRow
	err := s.db.WithContext(ctx).Take(&req, "id = ?", id).Error
	return req, err
}

// decideReclass records the decision on a pending request at the step's now; false when the
// request was no longer pending.
func (s *Store) decideReclass(ctx context.Context, tx dbx.Tx, id uuid.UUID, state string, by uuid.UUID, reason string) (bool, error) {
	res := tx.Gorm().WithContext(ctx).Model(&reclassRow{}).Where("id = ? AND state = 'pending'", id).
		Updates(map[string]any{"state": state, "decided_by": by, "decision_reason": reason, "decided_at": tx.Now()})
	return res.RowsAffected > 0, res.Error
}

// pendingReclassRow is a pending request with its incident's headline.
type pendingReclassRow struct {
	Req       reclassRow `gorm:"embedded"`
	Reference string
	Title     string
	Tier      string
	Severity  int
}

// pendingReclasses reads the requests awaiting a decision, oldest first.
func (s *Store) pendingReclasses(ctx context.Context, limit int) ([]pendingReclassRow, error) {
	var rows []pendingReclassRow
	err := s.db.WithContext(ctx).Raw(`SELECT r.*, i.reference, i.title, i.tier, i.severity FROM reclassification_requests r
		JOIN incidents i ON i.id = r.incident_id WHERE r.state = 'pending' ORDER BY r.created_at, r.id LIMIT ?`, limit).Scan(&rows).Error
	return rows, err
}

// awaitingRemediation reads the open incidents with a formal escalation request that still needs
// an agreed remediation plan, oldest request first.
func (s *Store) awaitingRemediation(ctx context.Context, limit int) ([]incidentRow, error) {
	var rows []incidentRow
	err := s.db.WithContext(ctx).Raw(`SELECT i.* FROM incidents i JOIN LATERAL (
			SELECT max(e.id) AS req FROM incident_events e WHERE e.incident_id = i.id AND e.kind IN (?, ?)
			AND (e.data->>'remediation_plan_required')::boolean) r ON r.req IS NOT NULL
		WHERE i.status <> 'resolved' AND NOT EXISTS (SELECT 1 FROM incident_events a WHERE a.incident_id = i.id
			AND a.kind = ? AND a.id > r.req)
		ORDER BY r.req LIMIT ?`, KindEscalationRequested, KindEscalated, KindRemediationAgreed, limit).Scan(&rows).Error
	return rows, err
}

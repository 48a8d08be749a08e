package tickets

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
)

// KindEscalationAcknowledged records that a manager acknowledged an escalation addressed to them.
const KindEscalationAcknowledged = "escalation_acknowledged"

// NoteEscalationAcknowledged puts a manager's acknowledgement of escalation escalationID (level)
// on the incident's timeline, with who and when; it is staff-only (recipients are). Only the
// first acknowledgement of an escalation is recorded, so a repeated click changes nothing.
// Errors: forbidden, not_found.
func (s *Service) NoteEscalationAcknowledged(ctx context.Context, actor accounts.User, incidentID, escalationID uuid.UUID, level int) error {
	if !actor.Role.Staff() {
		return errStaffOnly
	}
	_, err := s.act(ctx, incidentID, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		for _, e := range events {
			if e.Kind == KindEscalationAcknowledged && e.Data["escalation_id"] == escalationID.String() {
				return nil, nil
			}
		}
		return []Event{{Kind: KindEscalationAcknowledged, ActorID: &actor.ID, Data: map[string]any{
			"escalation_id": escalationID, "level": level}}}, nil
	})
	return err
}

// PendingReclassification is a reclassification request awaiting a manager, with its incident.
type PendingReclassification struct {
	Reclassification
	Reference string
	Title     string
	Tier      string
	Severity  int
}

// PendingReclassifications lists the requests awaiting a decision, oldest first. Support managers
// and admins (who decide them).
// Errors: forbidden.
func (s *Service) PendingReclassifications(ctx context.Context, actor accounts.User, limit int) ([]PendingReclassification, error) {
	if actor.Role != accounts.SupportManager && actor.Role != accounts.Admin {
		return nil, apperr.New(apperr.Forbidden, "forbidden", "support managers decide reclassification requests")
	}
	var rows []struct {
		Req       reclassRow `gorm:"embedded"`
		Reference string
		Title     string
		Tier      string
		Severity  int
	}
	err := s.store.db.WithContext(ctx).Raw(`SELECT r.*, i.reference, i.title, i.tier, i.severity FROM reclassification_requests r
		JOIN incidents i ON i.id = r.incident_id WHERE r.state = 'pending' ORDER BY r.created_at, r.id LIMIT ?`, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "reclassification requests")
	}
	out := make([]PendingReclassification, len(rows))
	for i, r := range rows {
		out[i] = PendingReclassification{Reclassification: r.Req.toReclassification(), Reference: r.Reference, Title: r.Title, Tier: r.Tier, Severity: r.Severity}
	}
	return out, nil
}

// AwaitingRemediation lists open incidents whose customer made a formal escalation request that
// needs a remediation plan (SPEC §2) and that has no agreed plan since, oldest request first.
// Support managers and admins.
// Errors: forbidden.
func (s *Service) AwaitingRemediation(ctx context.Context, actor accounts.User, limit int) ([]Incident, error) {
	if actor.Role != accounts.SupportManager && actor.Role != accounts.Admin {
		return nil, apperr.New(apperr.Forbidden, "forbidden", "support managers answer escalation requests")
	}
	var rows []incidentRow
	err := s.store.db.WithContext(ctx).Raw(`SELECT i.* FROM incidents i JOIN LATERAL (
			SELECT max(e.id) AS req FROM incident_events e WHERE e.incident_id = i.id AND e.kind IN (?, ?)
			AND (e.data->>'remediation_plan_required')::boolean) r ON r.req IS NOT NULL
		WHERE i.status <> 'resolved' AND NOT EXISTS (SELECT 1 FROM incident_events a WHERE a.incident_id = i.id
			AND a.kind = ? AND a.id > r.req)
		ORDER BY r.req LIMIT ?`, KindEscalationRequested, KindEscalated, KindRemediationAgreed, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "incidents")
	}
	out := make([]Incident, len(rows))
	for i, r := range rows {
		out[i] = r.toIncident()
	}
	return out, nil
}

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
	rows, err := s.store.pendingReclasses(ctx, limit)
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
	rows, err := s.store.awaitingRemediation(ctx, limit)
	if err != nil {
		return nil, translate(err, "incidents")
	}
	out := make([]Incident, len(rows))
	for i, r := range rows {
		out[i] = r.toIncident()
	}
	return out, nil
}

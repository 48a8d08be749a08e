package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/entitlement"
)

// Leads keeps refused intakes as renewal leads (sla/entitlement owns them, next to the contracts
// that refused). *entitlement.Store implements it.
type Leads interface {
	RecordLead(ctx context.Context, l entitlement.Lead, raw []byte) error
	KeepMailLead(ctx context.Context, l entitlement.MailLead) error
}

// refusal reports whether err is an entitlement refusal that intake must keep: a 403 from the
// entitlement check, or a malformed contract identifier.
func refusal(err error) (*apperr.Error, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return nil, false
	}
	switch {
	case ae.Kind == apperr.Forbidden:
		return ae, true
	case ae.Kind == apperr.Invalid && (ae.Code == "invalid_activation_code" || ae.Code == "invalid_registration_key"):
		return ae, true
	}
	return nil, false
}

// recordLead hands a refused intake to the leads, when there are any (see Deps).
func (s *Service) recordLead(ctx context.Context, l entitlement.Lead, raw []byte) error {
	if s.leads == nil {
		return nil
	}
	return s.leads.RecordLead(ctx, l, raw)
}

// KeepUnreadableIntake keeps an intake the HTTP layer refused because its text could not be
// stored (NUL characters, invalid UTF-8): the customer was refused, but what they typed is kept
// with the refused intakes, as every refused intake is. raw is the body exactly as sent. Staff
// intake names its organisation in the body; when it cannot be read the attempt is only logged.
func (s *Service) KeepUnreadableIntake(ctx context.Context, actor accounts.User, raw []byte, refusal *apperr.Error) {
	var probe struct {
		OrganizationID *uuid.UUID `json:"organization_id"`
		Product        string     `json:"product"`
	}
	_ = json.Unmarshal(bytes.ReplaceAll(raw, []byte{0}, []byte(`\u0000`)), &probe)
	org := probe.OrganizationID
	if actor.Role.Customer() {
		org = actor.OrganizationID
	}
	if org == nil {
		s.log.Warn("refused intake not kept: no organisation", "user_id", actor.ID, "code", refusal.Code)
		return
	}
	if !actor.Role.Customer() && !actor.Role.Staff() {
		return
	}
	r := entitlement.Lead{OrganizationID: *org, UserID: actor.ID, Product: probe.Product, Code: refusal.Code,
		Message: refusal.Message, Details: map[string]any{"field": refusal.Field}, CreatedAt: s.clock.Now().Truncate(time.Microsecond)}
	if err := s.recordLead(ctx, r, raw); err != nil {
		s.log.Error("could not keep refused intake", "organization_id", *org, "code", refusal.Code, "error", err)
	}
}

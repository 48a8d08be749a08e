package entitlement

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// Lead is a refused intake kept as a renewal lead, with everything the customer typed: the
// contract said no, so sales may call. Intake (tickets) and the mail channel record them; staff
// read them (GET /v1/intake-rejections).
type Lead struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	UserID         uuid.UUID
	EntitlementID  *uuid.UUID
	Product        string
	Code           string
	Message        string
	Details        map[string]any
	RequestBody    []byte // exactly the bytes sent; the HTTP layer decides how to show them
	CreatedAt      time.Time
}

// MailLead is a mail kept as a renewal lead: from a sender who is no customer user, or whose
// intake the entitlement check refused.
type MailLead struct {
	SenderEmail      string
	OrganizationID   *uuid.UUID
	UserID           *uuid.UUID
	Product          string
	Code             string
	Message          string
	InboundMessageID uuid.UUID
	Raw              []byte // the whole message
	At               time.Time
}

// LeadFilter selects leads for staff.
type LeadFilter struct {
	OrganizationID *uuid.UUID
	Code           string
	Since          *time.Time
	Page           page.Request
}

// Leads lists refused intakes, newest first, a page at a time (see internal/page), with the
// next page's cursor (empty on the last page). Staff only.
// Errors: forbidden, invalid_value (cursor, limit).
func (s *Service) Leads(ctx context.Context, actor accounts.User, f LeadFilter) ([]Lead, string, error) {
	if !actor.Role.Staff() {
		return nil, "", apperr.New(apperr.Forbidden, "forbidden", "intake rejections are for staff")
	}
	req, err := f.Page.Checked()
	if err != nil {
		return nil, "", err
	}
	out, err := s.store.findLeads(ctx, f, req)
	if err != nil {
		return nil, "", err
	}
	out, next := page.Cut(out, req.Limit, func(r Lead) page.Cursor { return page.Cursor{At: r.CreatedAt, ID: r.ID.String()} })
	return out, next, nil
}

package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/entitlement"
)

// CreditLedger keeps the SLA-credit ledger next to the contracts that price it
// (entitlement.Ledger): firing adds an entry per missed first response of a contract, inside
// the batch's transaction; the first response settles it; the credits report reads it.
type CreditLedger interface {
	AddMissed(ctx context.Context, tx dbx.Tx, misses []entitlement.Miss) error
	Settle(ctx context.Context, tx dbx.Tx, incidentID uuid.UUID) error
	Entries(ctx context.Context, orgID uuid.UUID, from, to time.Time, req page.Request) ([]entitlement.Credit, string, float64, error)
}

// Credit is one entry of an organisation's SLA-credit ledger, with its incident's reference.
type Credit struct {
	ID              uuid.UUID
	OrganizationID  uuid.UUID
	IncidentID      uuid.UUID
	Reference       string
	EntitlementID   uuid.UUID
	Target          string
	Severity        int
	DueAt           time.Time
	MetAt           *time.Time
	LatenessSeconds *float64
	Amount          float64
	CreatedAt       time.Time
}

// creditsFor hands the ledger a batch's missed first responses, inside the batch's transaction:
// premium and platinum incidents under a contract (the ledger prices them, in one statement).
func (s *Service) creditsFor(ctx context.Context, tx dbx.Tx, breaches []Breach) error {
	if s.credits == nil {
		return nil
	}
	var misses []entitlement.Miss
	for _, br := range breaches {
		inc := br.Incident
		if br.Target != sla.FirstResponse || inc.EntitlementID == nil || (inc.Tier != string(sla.Premium) && inc.Tier != string(sla.Platinum)) {
			continue
		}
		misses = append(misses, entitlement.Miss{OrganizationID: inc.OrganizationID, IncidentID: inc.ID, EntitlementID: *inc.EntitlementID,
			Severity: inc.Severity, DueAt: br.DueAt})
	}
	return s.credits.AddMissed(ctx, tx, misses)
}

// settleCredit records when a missed first response was finally given, so the entry shows the
// actual time and the lateness.
func (s *Service) settleCredit(ctx context.Context, tx dbx.Tx, incID uuid.UUID) error {
	if s.credits == nil {
		return nil
	}
	return s.credits.Settle(ctx, tx, incID)
}

// Credits returns a page of an organisation's SLA-credit entries whose deadline falls in
// [from, to), in deadline order (see internal/page), the next page's cursor (empty on the last
// page) and the total amount of the whole period. Staff read any organisation's ledger; org
// admins their own; members none.
// Errors: forbidden, not_found, invalid_value (to, cursor, limit).
func (s *Service) Credits(ctx context.Context, actor accounts.User, orgID uuid.UUID, from, to time.Time, req page.Request) ([]Credit, string, float64, error) {
	if actor.Role.Customer() {
		if actor.Role != accounts.OrgAdmin {
			return nil, "", 0, apperr.New(apperr.Forbidden, "forbidden", "the credit ledger is for organisation admins")
		}
		if !actor.InOrganization(orgID) {
			return nil, "", 0, apperr.NotFoundf("organization not found")
		}
	}
	if !to.After(from) {
		return nil, "", 0, apperr.InvalidField("to", "to must be after from")
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", 0, err
	}
	out := []Credit{}
	if s.credits == nil {
		return out, "", 0, nil
	}
	entries, next, total, err := s.credits.Entries(ctx, orgID, from, to, req)
	if err != nil {
		return nil, "", 0, err
	}
	ids := make([]uuid.UUID, len(entries))
	for i, e := range entries {
		ids[i] = e.IncidentID
	}
	refs, err := s.store.references(ctx, ids)
	if err != nil {
		return nil, "", 0, err
	}
	for _, e := range entries {
		out = append(out, Credit{ID: e.ID, OrganizationID: e.OrganizationID, IncidentID: e.IncidentID, Reference: refs[e.IncidentID],
			EntitlementID: e.EntitlementID, Target: e.Target, Severity: e.Severity, DueAt: e.DueAt, MetAt: e.MetAt,
			LatenessSeconds: e.LatenessSeconds, Amount: e.Amount, CreatedAt: e.CreatedAt})
	}
	return out, next, total, nil
}

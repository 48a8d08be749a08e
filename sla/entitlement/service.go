package entitlement

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/page"
)

// Service applies who-may-do-what to entitlements and answers intake.
type Service struct {
	store *Store
	orgs  interface {
		FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
	}
	clock clock.Clock
}

// NewService returns the entitlement service.
func NewService(store *Store, orgs interface {
	FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
}, c clock.Clock) *Service {
	return &Service{store: store, orgs: orgs, clock: c}
}

var errForbidden = apperr.New(apperr.Forbidden, "forbidden", "your role may not do this")

// Create adds an entitlement to an organisation. Admins only.
// Errors: forbidden, not_found (organization), *FieldError (422).
func (s *Service) Create(ctx context.Context, actor accounts.User, orgID uuid.UUID, e Entitlement) (View, error) {
	if actor.Role != accounts.Admin {
		return View{}, errForbidden
	}
	if _, err := s.orgs.FindOrganizationByID(ctx, orgID); err != nil {
		return View{}, err
	}
	e.OrganizationID = orgID
	e.Extensions = nil
	// PostgreSQL keeps microseconds; compare what is stored, not what was sent.
	e.StartsAt, e.EndsAt = e.StartsAt.Truncate(time.Microsecond), e.EndsAt.Truncate(time.Microsecond)
	// An add-on may run shorter than a year when it ends together with another contract.
	others, err := s.store.FindByOrganization(ctx, orgID)
	if err != nil {
		return View{}, err
	}
	n, err := e.NormalizeAmong(others)
	if err != nil {
		return View{}, toAppError(err)
	}
	now := s.clock.Now()
	created, err := s.store.Create(ctx, n, now)
	if err != nil {
		return View{}, err
	}
	return NewView(created, now), nil
}

// Report lists an organisation's entitlements with state, days left and renewal facts. Staff read
// any organisation; an organisation's admin reads their own (another is not_found).
func (s *Service) Report(ctx context.Context, actor accounts.User, orgID uuid.UUID) ([]View, error) {
	if err := s.mayReport(ctx, actor, orgID); err != nil {
		return nil, err
	}
	ents, err := s.store.FindByOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.views(ents), nil
}

// ReportPage is Report a page at a time (see internal/page), with the next page's cursor (empty
// on the last page).
// Errors: forbidden, not_found, invalid_value (cursor, limit).
func (s *Service) ReportPage(ctx context.Context, actor accounts.User, orgID uuid.UUID, req page.Request) ([]View, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	if err := s.mayReport(ctx, actor, orgID); err != nil {
		return nil, "", err
	}
	ents, err := s.store.FindPageByOrganization(ctx, orgID, req)
	if err != nil {
		return nil, "", err
	}
	vs, next := page.Cut(s.views(ents), req.Limit, func(v View) page.Cursor { return page.Cursor{At: v.StartsAt, ID: v.ID.String()} })
	return vs, next, nil
}

// mayReport checks that the caller may read the organisation's entitlements and that it exists.
func (s *Service) mayReport(ctx context.Context, actor accounts.User, orgID uuid.UUID) error {
	if actor.Role.Customer() {
		if actor.Role != accounts.OrgAdmin {
			return errForbidden
		}
		if !actor.InOrganization(orgID) {
			return apperr.NotFoundf("organization not found")
		}
	}
	_, err := s.orgs.FindOrganizationByID(ctx, orgID)
	return err
}

func (s *Service) views(ents []Entitlement) []View {
	now := s.clock.Now()
	out := make([]View, len(ents))
	for i, e := range ents {
		out[i] = NewView(e, now)
	}
	return out
}

// Renew records a new contract period (possibly with a new serial; the old one keeps finding the
// entitlement). Admins and support managers.
// Errors: forbidden, not_found, *FieldError.
func (s *Service) Renew(ctx context.Context, actor accounts.User, id uuid.UUID, start, end time.Time, serial string) (View, error) {
	if actor.Role != accounts.Admin && actor.Role != accounts.SupportManager {
		return View{}, errForbidden
	}
	now := s.clock.Now()
	start, end = start.Truncate(time.Microsecond), end.Truncate(time.Microsecond)
	// A renewal may be shorter than a year when it ends together with another contract of the
	// organisation (co-terming one contract at a time).
	target, err := s.store.FindByID(ctx, id)
	if err != nil {
		return View{}, err
	}
	others, err := s.store.FindByOrganization(ctx, target.OrganizationID)
	if err != nil {
		return View{}, err
	}
	e, err := s.store.update(ctx, id, now, func(cur Entitlement) (Entitlement, *renewalRow, *extensionRow, error) {
		next, err := cur.RenewAmong(start, end, serial, others)
		if err != nil {
			return Entitlement{}, nil, nil, err
		}
		return next, &renewalRow{EntitlementID: id, PreviousStarts: cur.StartsAt, PreviousEnds: cur.EndsAt,
			StartsAt: next.StartsAt, EndsAt: next.EndsAt, PreviousSerial: cur.SerialNumber, SerialNumber: next.SerialNumber,
			RenewedBy: actor.ID, RenewedAt: now}, nil, nil
	})
	if err != nil {
		return View{}, toAppError(err)
	}
	return NewView(e, now), nil
}

// Extend grants a temporary extension while a renewal is processed. Support managers and admins.
// Errors: forbidden, not_found, *FieldError.
func (s *Service) Extend(ctx context.Context, actor accounts.User, id uuid.UUID, until time.Time, reason string) (View, error) {
	if actor.Role != accounts.Admin && actor.Role != accounts.SupportManager {
		return View{}, errForbidden
	}
	now := s.clock.Now()
	until = until.Truncate(time.Microsecond)
	e, err := s.store.update(ctx, id, now, func(cur Entitlement) (Entitlement, *renewalRow, *extensionRow, error) {
		next, err := cur.Extend(until, reason, actor.ID, now)
		if err != nil {
			return Entitlement{}, nil, nil, err
		}
		return next, nil, &extensionRow{EntitlementID: id, Until: until, Reason: reason, GrantedBy: actor.ID, GrantedAt: now}, nil
	})
	if err != nil {
		return View{}, toAppError(err)
	}
	return NewView(e, now), nil
}

// Check is intake's question: may this organisation open an incident for this product now?
// Errors: a forbidden error with the rejection's code and renewal facts (403), an invalid error
// for a malformed identifier (422 invalid_activation_code / invalid_registration_key).
func (s *Service) Check(ctx context.Context, orgID uuid.UUID, req Request, now time.Time) (Decision, error) {
	ents, err := s.store.FindByOrganization(ctx, orgID)
	if err != nil {
		return Decision{}, err
	}
	d, err := Decide(ents, req, now)
	return d, toAppError(err)
}

// CoTermResult is one contract after co-terming: its view and the period it now runs.
type CoTermResult struct {
	View   View
	Period CoTermPeriod
}

// CoTerm aligns contracts of an organisation to one end date (seed 000), renewing each that ends
// earlier to that date and keeping each renewal in the history, all in one transaction (CoTerm
// describes the rules). Admins and support managers.
// Errors: forbidden, not_found (organization), *FieldError (422).
func (s *Service) CoTerm(ctx context.Context, actor accounts.User, orgID uuid.UUID, ids []uuid.UUID, end time.Time) ([]CoTermResult, error) {
	if actor.Role != accounts.Admin && actor.Role != accounts.SupportManager {
		return nil, errForbidden
	}
	if _, err := s.orgs.FindOrganizationByID(ctx, orgID); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	end = end.Truncate(time.Microsecond)
	var periods []CoTermPeriod
	saved, err := s.store.updateOrganization(ctx, orgID, now, func(all []Entitlement) ([]Entitlement, []renewalRow, error) {
		ps, err := CoTerm(all, ids, end)
		if err != nil {
			return nil, nil, err
		}
		periods = ps
		var next []Entitlement
		var rens []renewalRow
		for _, p := range ps {
			if p.Unchanged {
				continue
			}
			next = append(next, p.Entitlement)
			rens = append(rens, renewalRow{EntitlementID: p.Entitlement.ID, PreviousStarts: p.PreviousStartsAt,
				PreviousEnds: p.PreviousEndsAt, StartsAt: p.Entitlement.StartsAt, EndsAt: p.EndsAt,
				PreviousSerial: p.Entitlement.SerialNumber, SerialNumber: p.Entitlement.SerialNumber, RenewedBy: actor.ID, RenewedAt: now})
		}
		return next, rens, nil
	})
	if err != nil {
		return nil, toAppError(err)
	}
	byID := make(map[uuid.UUID]Entitlement, len(saved))
	for _, e := range saved {
		byID[e.ID] = e
	}
	out := make([]CoTermResult, len(periods))
	for i, p := range periods {
		p.Entitlement = byID[p.Entitlement.ID]
		out[i] = CoTermResult{View: NewView(p.Entitlement, now), Period: p}
	}
	return out, nil
}

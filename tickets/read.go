package tickets

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

// Visible reports whether the caller may see the incident: staff see every incident, customers
// only their organisation's.
func Visible(actor accounts.User, inc Incident) bool {
	if actor.Role.Customer() {
		return actor.InOrganization(inc.OrganizationID)
	}
	return actor.Role.Staff()
}

// Get returns the incident if the caller may see it. An incident of another organisation is
// not_found, exactly as a missing one, so its existence does not leak.
func (s *Service) Get(ctx context.Context, actor accounts.User, id uuid.UUID) (Incident, error) {
	inc, err := s.store.FindIncidentByID(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	if !Visible(actor, inc) {
		return Incident{}, apperr.NotFoundf("incident not found")
	}
	incs := []Incident{inc}
	if err := s.withSLA(ctx, incs); err != nil {
		return Incident{}, err
	}
	return incs[0], nil
}

// Page is one page of a listing; Next is empty on the last page.
type Page struct {
	Items []Incident `json:"items"`
	Next  string     `json:"next_cursor,omitempty"`
}

// List returns the incidents the caller may see, newest first. Customers' listings are scoped to
// their organisation whatever filter they send.
func (s *Service) List(ctx context.Context, actor accounts.User, f Filter) (Page, error) {
	if actor.Role.Customer() {
		if f.OrganizationID != nil && *f.OrganizationID != *actor.OrganizationID {
			return Page{Items: []Incident{}}, nil
		}
		f.OrganizationID = actor.OrganizationID
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 200 {
		return Page{}, apperr.InvalidField("limit", "limit is at most 200")
	}
	items, err := s.store.findIncidents(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items}
	if err := s.withSLA(ctx, items); err != nil {
		return Page{}, err
	}
	if len(items) > f.Limit {
		p.Items = items[:f.Limit]
		last := p.Items[len(p.Items)-1]
		p.Next = Cursor{CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	return p, nil
}

// Timeline returns the incident's events if the caller may see the incident.
func (s *Service) Timeline(ctx context.Context, actor accounts.User, id uuid.UUID) ([]Event, error) {
	inc, err := s.store.FindIncidentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !Visible(actor, inc) {
		return nil, apperr.NotFoundf("incident not found")
	}
	return s.store.FindEvents(ctx, id)
}

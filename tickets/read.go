package tickets

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// visible reports whether the caller may see the incident: staff see every incident, customers
// only their organisation's. Where the organisation's incident visibility is "own", a member
// sees only the incidents their circle opened (themselves and everyone sharing a group with
// them, as loaded with the token).
func visible(actor accounts.User, inc Incident) bool {
	if actor.Role.Customer() {
		return actor.InOrganization(inc.OrganizationID) && (!actor.SeesOwnOnly() || actor.InCircle(inc.OpenedBy))
	}
	return actor.Role.Staff()
}

// MayAct reports whether the caller may act on the incident as its customer (reply, request
// escalation or reclassification, reopen): an organisation's admin on every incident of their
// organisation, a member only on those their circle opened (seed 003 §3.2: a group acts on
// behalf of its members). For staff it is Visible; their own rules are the role checks of each
// action.
func MayAct(actor accounts.User, inc Incident) bool {
	if actor.Role == accounts.Member {
		return visible(actor, inc) && actor.InCircle(inc.OpenedBy)
	}
	return visible(actor, inc)
}

// Get returns the incident if the caller may see it. An incident of another organisation is
// not_found, exactly as a missing one, so its existence does not leak.
func (s *Service) Get(ctx context.Context, actor accounts.User, id uuid.UUID) (Incident, error) {
	inc, err := s.store.FindIncidentByID(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	if !visible(actor, inc) {
		return Incident{}, apperr.NotFoundf("incident not found")
	}
	incs := []Incident{inc}
	if err := s.withSLA(ctx, incs, actor.Role.Staff()); err != nil {
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
// their organisation whatever filter they send, and to their circle's incidents where they see
// only those. f.Search matches a reference or title/description text; f.Mine narrows to the
// caller's own.
// Errors: invalid_value (limit, q).
func (s *Service) List(ctx context.Context, actor accounts.User, f Filter) (Page, error) {
	f.OpenedBy = nil
	f.Search = strings.TrimSpace(f.Search)
	if len(f.Search) > 200 {
		return Page{}, apperr.InvalidField("q", "search text is at most 200 bytes")
	}
	if actor.Role.Customer() {
		if f.OrganizationID != nil && *f.OrganizationID != *actor.OrganizationID {
			return Page{Items: []Incident{}}, nil
		}
		f.OrganizationID = actor.OrganizationID
		if actor.SeesOwnOnly() {
			f.OpenedBy = append([]uuid.UUID{actor.ID}, actor.Circle...)
		}
	}
	if f.Mine {
		f.OpenedBy = []uuid.UUID{actor.ID}
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 200 {
		return Page{}, apperr.InvalidField("limit", "limit is at most 200")
	}
	if err := checkDueWithin(f.DueWithin); err != nil {
		return Page{}, err
	}
	if f.DueWithin > 0 {
		f.dueBefore = s.clock.Now().Add(f.DueWithin)
	}
	items, err := s.store.findIncidents(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Items: items}
	if err := s.withSLA(ctx, items, false); err != nil {
		return Page{}, err
	}
	if len(items) > f.Limit {
		p.Items = items[:f.Limit]
		last := p.Items[len(p.Items)-1]
		p.Next = Cursor{CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	return p, nil
}

// TimelinePage returns a page of what Timeline returns, oldest first (see internal/page), and
// the next page's cursor, empty on the last page. It pages Timeline's answer, so whatever
// Timeline leaves out for the caller stays out.
// Errors: not_found, invalid_value (cursor, limit).
func (s *Service) TimelinePage(ctx context.Context, actor accounts.User, id uuid.UUID, req page.Request) ([]Event, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	var after int64
	if req.Cursor != nil {
		if after, err = req.Cursor.Int(); err != nil {
			return nil, "", err
		}
	}
	evs, err := s.Timeline(ctx, actor, id)
	if err != nil {
		return nil, "", err
	}
	k := 0
	for k < len(evs) && evs[k].ID <= after { // in id order, as the timeline is kept
		k++
	}
	evs, next := page.Cut(evs[k:], req.Limit, func(e Event) page.Cursor { return page.Cursor{At: e.At, ID: strconv.FormatInt(e.ID, 10)} })
	return evs, next, nil
}

// Timeline returns the incident's events if the caller may see the incident, as the caller's
// audience reads them (ForAudience): a customer never gets internal notes, assignment details,
// SLA explanations or breach records, nor the staff-only fields of the entries they do get.
func (s *Service) Timeline(ctx context.Context, actor accounts.User, id uuid.UUID) ([]Event, error) {
	inc, err := s.store.FindIncidentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(actor, inc) {
		return nil, apperr.NotFoundf("incident not found")
	}
	events, err := s.store.FindEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	return ForAudience(events, ReaderAudience(actor)), nil
}

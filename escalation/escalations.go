package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
)

// Record is one escalation as its recipient sees it: the row the ladder wrote for them, with
// what the incident is.
type Record struct {
	ID             uuid.UUID
	IncidentID     uuid.UUID
	Reference      string
	Title          string
	Tier           string
	Severity       int
	Level          int
	Reason         string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

// Escalations reads and acknowledges escalations.
type Escalations struct {
	store     *Store
	incidents Incidents
}

// Incidents finds the incidents escalations are about (tickets owns them), a page's worth in
// one call. *tickets.Store implements it.
type Incidents interface {
	FindIncidentsByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]tickets.Incident, error)
}

// NewEscalations returns the escalation reader over store; incidents fills in what each
// escalation is about.
func NewEscalations(store *Store, incidents Incidents) *Escalations {
	return &Escalations{store: store, incidents: incidents}
}

// Mine lists the escalations addressed to the user, newest first, a page at a time (see
// internal/page); pendingOnly leaves out the acknowledged ones. It returns the next page's
// cursor, empty on the last page.
// Errors: invalid_value (cursor, limit).
func (e *Escalations) Mine(ctx context.Context, userID uuid.UUID, pendingOnly bool, req page.Request) ([]Record, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	rows, err := e.store.findEscalations(ctx, userID, pendingOnly, req)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Cut(rows, req.Limit, func(r escalationRow) page.Cursor { return page.Cursor{At: r.CreatedAt, ID: r.ID.String()} })
	out, err := e.records(ctx, rows)
	return out, next, err
}

// Acknowledge marks the user's escalation acknowledged (the first time counts); another user's
// is not_found.
func (e *Escalations) Acknowledge(ctx context.Context, userID, id uuid.UUID, now time.Time) (Record, error) {
	r, err := e.store.acknowledge(ctx, userID, id, now)
	if err != nil {
		return Record{}, err
	}
	out, err := e.records(ctx, []escalationRow{r})
	if err != nil {
		return Record{}, err
	}
	if len(out) == 0 {
		return Record{}, apperr.NotFoundf("escalation not found")
	}
	return out[0], nil
}

// records completes rows with their incidents, in one look-up. A row whose incident is gone
// is left out, as the join that read them before did.
func (e *Escalations) records(ctx context.Context, rows []escalationRow) ([]Record, error) {
	out := make([]Record, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.IncidentID
	}
	incs, err := e.incidents.FindIncidentsByID(ctx, uniqueIDs(ids))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		inc, ok := incs[r.IncidentID]
		if !ok {
			continue
		}
		out = append(out, Record{ID: r.ID, IncidentID: r.IncidentID, Reference: inc.Reference, Title: inc.Title, Tier: inc.Tier,
			Severity: inc.Severity, Level: r.Level, Reason: r.Reason, CreatedAt: r.CreatedAt, AcknowledgedAt: r.AcknowledgedAt})
	}
	return out, nil
}

package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

type incidentRow struct {
	ID                           uuid.UUID `gorm:"primaryKey"`
	Reference                    string
	OrganizationID               uuid.UUID
	Product                      string
	Title                        string
	Description                  string
	Tier                         string
	Severity                     int
	RequestedSeverity            *int
	SeverityConfirmationRequired bool
	Status                       string
	Channel                      string
	Scope                        string
	AssigneeID                   *uuid.UUID
	EscalationLevel              int
	OpenedBy                     uuid.UUID
	EntitlementID                *uuid.UUID
	InGrace                      bool
	GraceEndsAt                  *time.Time
	PolicyVersion                int
	CalendarVersions             map[string]int `gorm:"serializer:json"`
	AcceptedAt                   time.Time
	CreatedAt                    time.Time
	UpdatedAt                    time.Time
	ResolutionConfirmedAt        *time.Time
}

func (incidentRow) TableName() string { return "incidents" }

func (r incidentRow) toIncident() Incident {
	if len(r.CalendarVersions) == 0 {
		r.CalendarVersions = nil // unpinned reads as intake without a planner leaves it
	}
	return Incident{ID: r.ID, Reference: r.Reference, OrganizationID: r.OrganizationID, Product: r.Product,
		Title: r.Title, Description: r.Description, Tier: r.Tier, Severity: r.Severity,
		RequestedSeverity: r.RequestedSeverity, SeverityConfirmationRequired: r.SeverityConfirmationRequired,
		Status: Status(r.Status), Channel: Channel(r.Channel), Scope: Scope(r.Scope), AssigneeID: r.AssigneeID,
		EscalationLevel: r.EscalationLevel, OpenedBy: r.OpenedBy, EntitlementID: r.EntitlementID, InGrace: r.InGrace,
		GraceEndsAt: utcPtr(r.GraceEndsAt), PolicyVersion: r.PolicyVersion, CalendarVersions: r.CalendarVersions, AcceptedAt: r.AcceptedAt.UTC(),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ResolutionConfirmedAt: utcPtr(r.ResolutionConfirmedAt)}
}

func toIncidentRow(i Incident) incidentRow {
	if i.CalendarVersions == nil {
		i.CalendarVersions = map[string]int{} // the column is NOT NULL; {} plans on current calendars
	}
	return incidentRow{ID: i.ID, Reference: i.Reference, OrganizationID: i.OrganizationID, Product: i.Product,
		Title: i.Title, Description: i.Description, Tier: i.Tier, Severity: i.Severity,
		RequestedSeverity: i.RequestedSeverity, SeverityConfirmationRequired: i.SeverityConfirmationRequired,
		Status: string(i.Status), Channel: string(i.Channel), Scope: string(i.Scope), AssigneeID: i.AssigneeID,
		EscalationLevel: i.EscalationLevel, OpenedBy: i.OpenedBy, EntitlementID: i.EntitlementID, InGrace: i.InGrace,
		GraceEndsAt: i.GraceEndsAt, PolicyVersion: i.PolicyVersion, CalendarVersions: i.CalendarVersions, AcceptedAt: i.AcceptedAt,
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, ResolutionConfirmedAt: i.ResolutionConfirmedAt}
}

type eventRow struct {
	ID         int64 `gorm:"primaryKey"`
	IncidentID uuid.UUID
	Kind       string
	ActorID    *uuid.UUID
	At         time.Time
	Data       []byte `gorm:"type:jsonb"`
}

func (eventRow) TableName() string { return "incident_events" }

func toEventRow(e Event) (eventRow, error) {
	data := []byte("{}")
	if e.Data != nil {
		b, err := json.Marshal(e.Data)
		if err != nil {
			return eventRow{}, err
		}
		data = b
	}
	return eventRow{IncidentID: e.IncidentID, Kind: e.Kind, ActorID: e.ActorID, At: e.At, Data: data}, nil
}

func (r eventRow) toEvent() Event {
	e := Event{ID: r.ID, IncidentID: r.IncidentID, Kind: r.Kind, ActorID: r.ActorID, At: r.At.UTC()}
	_ = json.Unmarshal(r.Data, &e.Data)
	sinceAccepted(e.Data)
	return e
}

type idempotencyRow struct {
	UserID      uuid.UUID `gorm:"primaryKey"`
	Key         string    `gorm:"primaryKey"`
	RequestHash []byte
	IncidentID  uuid.UUID
	CreatedAt   time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// Store keeps incidents and their timelines in PostgreSQL.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// errKeyRace means a concurrent request with the same idempotency key committed first.
var errKeyRace = errors.New("idempotency key taken concurrently")

// findByKey returns the incident an earlier request with the same key created, and that
// request's hash; ok is false when the key is new.
func (s *Store) findByKey(ctx context.Context, userID uuid.UUID, key string) (inc Incident, hash []byte, ok bool, err error) {
	var r idempotencyRow
	err = s.db.WithContext(ctx).Take(&r, "user_id = ? AND key = ?", userID, key).Error
	if dbx.NotFound(err) {
		return Incident{}, nil, false, nil
	}
	if err != nil {
		return Incident{}, nil, false, dbx.Translate(err, "idempotency key")
	}
	inc, err = s.FindIncidentByID(ctx, r.IncidentID)
	return inc, r.RequestHash, err == nil, err
}

// FindIncidentByID returns the incident, or not_found. It does not scope by caller: the service
// does.
func (s *Store) FindIncidentByID(ctx context.Context, id uuid.UUID) (Incident, error) {
	var r incidentRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return Incident{}, dbx.Translate(err, "incident")
	}
	return r.toIncident(), nil
}

// Filter selects incidents for a listing. OrganizationID and OpenedBy are forced for customers
// by the service.
type Filter struct {
	OrganizationID *uuid.UUID
	OpenedBy       []uuid.UUID // nil: anyone; else only incidents these users opened
	Status         Status
	Severity       int
	Tier           string
	Product        string
	// Search matches a reference exactly (case-insensitive) or text in the title or description.
	Search string
	// Mine keeps only the incidents the caller opened.
	Mine bool
	// DueWithin keeps only open incidents whose next pending deadline falls due within this
	// long from now, overdue ones included (the "at risk" list); zero: no such filter.
	DueWithin time.Duration
	dueBefore time.Time
	After     *Cursor // exclusive: items strictly older than this position
	Limit     int
}

// findIncidents returns up to f.Limit+1 incidents, newest first, so the caller knows if there is
// a next page.
func (s *Store) findIncidents(ctx context.Context, f Filter) ([]Incident, error) {
	q := s.db.WithContext(ctx).Model(&incidentRow{})
	if f.OrganizationID != nil {
		q = q.Where("organization_id = ?", *f.OrganizationID)
	}
	if f.OpenedBy != nil {
		q = q.Where("opened_by IN ?", f.OpenedBy)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.Severity != 0 {
		q = q.Where("severity = ?", f.Severity)
	}
	if f.Tier != "" {
		q = q.Where("tier = ?", f.Tier)
	}
	if f.Product != "" {
		q = q.Where("product = ?", f.Product)
	}
	if f.Search != "" {
		like := "%" + likeEscaper.Replace(f.Search) + "%"
		q = q.Where("(upper(reference) = upper(?) OR title ILIKE ? OR description ILIKE ?)", f.Search, like, like)
	}
	if !f.dueBefore.IsZero() {
		q = q.Where("status <> 'resolved' AND next_due_at <= ?", f.dueBefore)
	}
	if f.After != nil {
		q = q.Where("(created_at, id) < (?, ?)", f.After.CreatedAt, f.After.ID)
	}
	var rows []incidentRow
	if err := q.Order("created_at DESC, id DESC").Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "incidents")
	}
	out := make([]Incident, len(rows))
	for i, r := range rows {
		out[i] = r.toIncident()
	}
	return out, nil
}

// likeEscaper makes user text literal inside a LIKE pattern (backslash is PostgreSQL's default escape).
var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// findPlanEventsOf reads what planning needs of the incidents' timelines: the events of the kinds
// it reads (planKinds), each with only the data keys it reads (planData), in order.
func (s *Store) findPlanEventsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]Event, error) {
	kinds := make([]string, 0, len(planKinds))
	for k := range planKinds {
		kinds = append(kinds, k)
	}
	pairs := make([]string, len(planData))
	for i, k := range planData {
		pairs[i] = "'" + k + "', data->'" + k + "'"
	}
	var rows []eventRow
	if err := s.db.WithContext(ctx).Raw(`SELECT id, incident_id, kind, actor_id, at, jsonb_strip_nulls(jsonb_build_object(`+strings.Join(pairs, ", ")+`)) AS data
		FROM incident_events WHERE incident_id IN ? AND kind IN ? ORDER BY incident_id, id`, ids, kinds).Scan(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "timeline")
	}
	out := make(map[uuid.UUID][]Event, len(ids))
	for _, r := range rows {
		out[r.IncidentID] = append(out[r.IncidentID], r.toEvent())
	}
	return out, nil
}

// FindEvents returns an incident's timeline in order.
func (s *Store) FindEvents(ctx context.Context, incidentID uuid.UUID) ([]Event, error) {
	var rows []eventRow
	if err := s.db.WithContext(ctx).Where("incident_id = ?", incidentID).Order("id").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "timeline")
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.toEvent()
	}
	return out, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func translate(err error, what string) error { return dbx.Translate(err, what) }

func uniqueViolation(err error) (string, bool) { return dbx.UniqueViolation(err) }

// PurgeIdempotencyKeys forgets the Idempotency-Keys stored before before, so the table stays
// small, and returns how many it deleted. Deleting is idempotent.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", before).Delete(&idempotencyRow{})
	return res.RowsAffected, res.Error
}

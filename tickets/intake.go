package tickets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
)

// NewIncident is what a caller submits to open an incident.
type NewIncident struct {
	OrganizationID  *uuid.UUID `json:"organization_id,omitempty"` // staff opening on a customer's behalf
	Product         string     `json:"product"`
	Title           string     `json:"title"`
	Description     string     `json:"description"`
	Severity        *int       `json:"severity,omitempty"`
	Channel         Channel    `json:"channel"`
	SerialNumber    string     `json:"serial_number,omitempty"`
	ActivationCode  string     `json:"activation_code,omitempty"`
	RegistrationKey string     `json:"registration_key,omitempty"`
	// ChannelObserved is set by intake paths that saw the channel themselves (a mail read from a
	// support mailbox), never from a request: a customer's own request may only say web or api.
	ChannelObserved bool `json:"-"`
	// Raw is the request body as the customer sent it, kept with a refused intake.
	Raw []byte `json:"-"`
}

// Service opens, reads and lists incidents on behalf of a caller.
type Service struct {
	store   *Store
	entitle Entitler
	planner Planner
	sched   Scheduler
	esc     Escalator
	teller  Teller
	credits CreditLedger
	obs     Observer
	users   Users
	leads   Leads
	clock   clock.Clock
	log     *slog.Logger
}

// Users finds the users lifecycle messages name (the engineer an incident is assigned to).
// *accounts.Store implements it. (The queue's office filter asks accounts inside its own
// statement, through the SQL function office_organizations.)
type Users interface {
	FindUserByID(ctx context.Context, id uuid.UUID) (accounts.User, error)
	// FindUserNameTx reads a user's display name through the step's transaction.
	FindUserNameTx(ctx context.Context, tx dbx.Tx, id uuid.UUID) (string, error)
}

// Deps are what the incident service works with, all given at construction. Store, Entitler,
// Users, Clock and Log are required. Planner nil plans nothing (no sla blocks: tests of intake
// alone); Scheduler nil delivers no deadline, Escalator nil escalates nobody and Teller nil tells
// customers nothing.
type Deps struct {
	Store     *Store
	Entitler  Entitler
	Planner   Planner
	Scheduler Scheduler
	Escalator Escalator
	Teller    Teller
	Credits   CreditLedger // nil: no SLA credits are kept
	Observer  Observer     // nil: nobody hears of decisions
	Users     Users
	Leads     Leads // nil: refused intakes are not kept
	Clock     clock.Clock
	Log       *slog.Logger
}

// NewService returns the incident service on d. It panics when a required dependency is
// missing: a wiring mistake, found at start rather than by the first request that needs it.
func NewService(d Deps) *Service {
	if d.Store == nil || d.Entitler == nil || d.Users == nil || d.Clock == nil || d.Log == nil {
		panic("tickets.NewService: Store, Entitler, Users, Clock and Log are required")
	}
	return &Service{store: d.Store, entitle: d.Entitler, planner: d.Planner, sched: d.Scheduler, esc: d.Escalator,
		teller: d.Teller, credits: d.Credits, obs: d.Observer, users: d.Users, leads: d.Leads, clock: d.Clock, log: d.Log}
}

// Limits on what a caller may type, so one request cannot fill the database.
const (
	maxTitle       = 300
	maxDescription = 64 << 10
	maxProduct     = 100
	maxKey         = 255
)

func (in *NewIncident) normalize() error {
	in.Product = strings.TrimSpace(in.Product)
	in.Title = strings.TrimSpace(in.Title)
	if in.Channel == "" {
		in.Channel = ChannelWeb
	}
	switch {
	case in.Product == "" || utf8.RuneCountInString(in.Product) > maxProduct:
		return apperr.InvalidField("product", "product is required (at most %d characters)", maxProduct)
	case in.Title == "" || utf8.RuneCountInString(in.Title) > maxTitle:
		return apperr.InvalidField("title", "title is required (at most %d characters)", maxTitle)
	case utf8.RuneCountInString(in.Description) > maxDescription:
		return apperr.InvalidField("description", "description is at most %d characters", maxDescription)
	case in.Severity != nil && (*in.Severity < 1 || *in.Severity > 4):
		return apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
	case !in.Channel.Valid():
		return apperr.InvalidField("channel", "channel must be web, email, phone or api")
	}
	return nil
}

// checkChannel keeps the channel honest: it drives the e-mail severity rule and the handoff
// report, so a customer may only say how they are reaching us now (web or api). Phone and e-mail
// intake is recorded by staff on the customer's behalf, or by the mail reader that saw the mail.
// Errors: channel_not_allowed.
func (in NewIncident) checkChannel(actor accounts.User) error {
	if !actor.Role.Customer() || in.ChannelObserved || in.Channel.CustomerChosen() {
		return nil
	}
	return &apperr.Error{Kind: apperr.Invalid, Code: "channel_not_allowed", Field: "channel",
		Message: "customers open incidents by web or api; phone and e-mail intake is recorded by support staff"}
}

// hash fingerprints the request so that a reused idempotency key with a different body is caught.
func (in NewIncident) hash() []byte {
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return sum[:]
}

// Open accepts an incident: it checks the caller may open one for the organisation, validates the
// request, asks the entitlement check for the tier, classifies the severity and stores the
// incident with its first timeline entry. With an idempotency key, a repeat of an earlier request
// by the same caller returns the incident that request created and replayed is true.
// Errors: forbidden, not_found, invalid_value, channel_not_allowed, idempotency_key_reused, and the entitlement
// check's refusals.
func (s *Service) Open(ctx context.Context, actor accounts.User, in NewIncident, key string) (inc Incident, replayed bool, err error) {
	if len(key) > maxKey {
		return Incident{}, false, apperr.InvalidField("Idempotency-Key", "Idempotency-Key is at most %d characters", maxKey)
	}
	org, err := s.organizationFor(actor, in.OrganizationID)
	if err != nil {
		return Incident{}, false, err
	}
	in.OrganizationID = &org
	if err := in.normalize(); err != nil {
		return Incident{}, false, err
	}
	if err := in.checkChannel(actor); err != nil {
		return Incident{}, false, err
	}
	hash := in.hash()
	if key != "" {
		if prev, ok, err := s.replay(ctx, actor, key, hash); ok || err != nil {
			return prev, ok, err
		}
	}
	// PostgreSQL keeps microseconds: truncate so the answer equals what a later read returns.
	now := s.clock.Now().Truncate(time.Microsecond)
	ent, err := s.entitle.Entitle(ctx, EntitlementRequest{OrganizationID: org, Product: in.Product,
		SerialNumber: in.SerialNumber, ActivationCode: in.ActivationCode, RegistrationKey: in.RegistrationKey, At: now})
	if err != nil {
		if ae, ok := refusal(err); ok {
			s.keepRefusal(ctx, actor, org, in, ae, now)
		}
		return Incident{}, false, err
	}
	cls := classify(in.Channel, in.Severity, in.Description)
	// The snapshot is taken before the transaction: planning inside it reads nothing.
	var snap catalog.Snapshot
	if s.planner != nil {
		if snap, err = s.planner.Current(ctx, sla.Tier(ent.Tier)); err != nil {
			return Incident{}, false, err
		}
	}
	inc = Incident{ID: uuid.Must(uuid.NewV7()), OrganizationID: org, Product: in.Product, Title: in.Title,
		Description: in.Description, Tier: ent.Tier, Severity: cls.Severity, RequestedSeverity: cls.Requested,
		SeverityConfirmationRequired: cls.ConfirmationRequired, Status: StatusNew, Channel: in.Channel,
		Scope: ScopeProduct, OpenedBy: actor.ID, EntitlementID: ent.EntitlementID, InGrace: ent.InGrace,
		GraceEndsAt: ent.GraceEndsAt, PolicyVersion: snap.Policy.Version, CalendarVersions: snap.Versions, AcceptedAt: now, CreatedAt: now, UpdatedAt: now}
	data := map[string]any{"tier": ent.Tier, "severity": cls.Severity, "channel": in.Channel}
	if cls.Requested != nil {
		data["requested_severity"] = *cls.Requested
		data["reason"] = cls.Reason
	}
	if ent.EntitlementID != nil {
		data["entitlement_id"] = *ent.EntitlementID
	}
	if ent.InGrace {
		data["in_grace"] = true
		data["grace_ends_at"] = ent.GraceEndsAt
	}
	first := Event{Kind: "opened", ActorID: &actor.ID, At: now, Data: data}
	// Planned before the transaction, from the snapshot: a new incident has no timers to compare
	// with, so the plan's pending deadlines are its timers, and the incident row carries the
	// nearest of them.
	create := newIncident{inc: inc, events: []Event{first}, userID: actor.ID, key: key, hash: hash}
	var res sla.Result
	if s.planner != nil {
		if res, err = snap.Plan(PlanInput(inc, create.events), now); err != nil {
			return Incident{}, false, err
		}
		_, create.timers = diffTimers(inc.ID, nil, res, now)
		s.markEnqueued(create.timers, now)
		if len(create.timers) > 0 {
			create.events = append(create.events, plannedEvent(inc.ID, res, toTimers(create.timers), false, now))
		}
	}
	var outbox []uuid.UUID
	inc, err = s.store.create(ctx, create, func(tx dbx.Tx, created Incident, stored []Event) error {
		var err error
		if s.esc != nil {
			outbox, err = s.esc.Opened(ctx, tx, created)
		}
		if err == nil {
			var told []uuid.UUID
			told, err = s.tell(ctx, tx, created, stored[:1]) // the opening, not its plan
			outbox = append(outbox, told...)
		}
		return err
	})
	if errors.Is(err, errKeyRace) {
		// A concurrent request with the same key won; answer with its incident.
		prev, ok, err := s.replay(ctx, actor, key, hash)
		if err == nil && !ok {
			err = apperr.Wrap(errKeyRace, "idempotency key vanished")
		}
		return prev, true, err
	}
	if err != nil {
		return Incident{}, false, err
	}
	s.afterCommit(ctx, toTimers(create.timers), nil)
	if s.sched != nil && len(outbox) > 0 {
		s.sched.Deliver(ctx, outbox)
	}
	if ent.Warning != "" {
		inc.Warnings = []string{ent.Warning}
	}
	// The timeline is the opening event and its plan: answer from the plan instead of reading back.
	if s.planner != nil {
		inc.SLA = slaOf(res, actor.Role.Staff())
	}
	return inc, false, nil
}

func (s *Service) replay(ctx context.Context, actor accounts.User, key string, hash []byte) (Incident, bool, error) {
	prev, prevHash, ok, err := s.store.findByKey(ctx, actor.ID, key)
	if err != nil || !ok {
		return Incident{}, false, err
	}
	if !bytes.Equal(prevHash, hash) {
		return Incident{}, false, apperr.New(apperr.Invalid, "idempotency_key_reused",
			"this Idempotency-Key was used for a different request; use a new key for a new incident")
	}
	incs := []Incident{prev}
	if err := s.withSLA(ctx, incs, actor.Role.Staff()); err != nil {
		return Incident{}, false, err
	}
	return incs[0], true, nil
}

// organizationFor decides whose incident this is: customers open for their own organisation,
// staff (phone intake) must name one.
func (s *Service) organizationFor(actor accounts.User, requested *uuid.UUID) (uuid.UUID, error) {
	if actor.Role.Customer() {
		if requested != nil && *requested != *actor.OrganizationID {
			return uuid.Nil, apperr.NotFoundf("organization not found")
		}
		return *actor.OrganizationID, nil
	}
	switch actor.Role {
	case accounts.Engineer, accounts.SupportManager, accounts.Admin:
	default:
		return uuid.Nil, apperr.New(apperr.Forbidden, "forbidden", "your role may not open incidents")
	}
	if requested == nil {
		return uuid.Nil, apperr.InvalidField("organization_id", "staff opening an incident must name the customer's organization_id")
	}
	return *requested, nil
}

// keepRefusal stores a refused intake as a renewal lead. If storing fails it is logged, and the
// customer still gets the refusal: telling them why matters more than the lead.
func (s *Service) keepRefusal(ctx context.Context, actor accounts.User, org uuid.UUID, in NewIncident, ae *apperr.Error, now time.Time) {
	raw := in.Raw
	if raw == nil {
		raw, _ = json.Marshal(in)
	}
	r := entitlement.Lead{OrganizationID: org, UserID: actor.ID, Product: in.Product, Code: ae.Code, Message: ae.Message,
		Details: ae.Details, CreatedAt: now}
	if id, ok := ae.Details["entitlement_id"].(uuid.UUID); ok {
		r.EntitlementID = &id
	}
	if err := s.recordLead(ctx, r, raw); err != nil {
		s.log.Error("could not keep refused intake", "organization_id", org, "code", ae.Code, "error", err)
	}
}

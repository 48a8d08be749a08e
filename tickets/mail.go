package tickets

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/entitlement"
)

// What the mail channel (tickets/inbound) asks of incidents. A mail is processed by a task that
// may run twice, so every step here is keyed by the message: the same key changes nothing twice.

// ErrReopenWindowPassed is returned by MailReply for a resolved incident whose reopening window
// has passed: the mail opens a new incident instead (LinkFollowUp).
var ErrReopenWindowPassed = errors.New("tickets: the incident was resolved too long ago to reopen by mail")

// errAlreadyRecorded stops act when the message is on the timeline already.
var errAlreadyRecorded = errors.New("tickets: mail already recorded")

// MailReplyOutcome says what a mail reply did.
type MailReplyOutcome string

// Outcomes of MailReply.
const (
	MailReplied      MailReplyOutcome = "replied"  // a customer reply, as through the API
	MailReopened     MailReplyOutcome = "reopened" // the incident was resolved and is open again
	MailAlreadyThere MailReplyOutcome = "already"  // this message was recorded before
)

// MailReply records a customer's mail as their reply to the incident, exactly as PostUpdate
// does for a customer (it ends waiting on the customer, which resumes the cadence), with the
// message's key on the event so that processing the mail again adds nothing. An incident
// resolved less than reopenWithin ago is reopened first; after that, or once a customer
// confirmed the resolution, ErrReopenWindowPassed (the mail opens a follow-up incident). A zero
// reopenWithin never reopens (MAIL_REOPEN_DAYS=0), even a reply in the instant of resolving.
// Errors: not_found, not_in_group (the sender may not act on it), invalid_value (body),
// ErrReopenWindowPassed.
func (s *Service) MailReply(ctx context.Context, actor accounts.User, id uuid.UUID, body, key string, attachments int, reopenWithin time.Duration) (Incident, MailReplyOutcome, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		body = "(the mail had no text)"
	}
	if len(body) > maxDescription {
		body = body[:maxDescription]
	}
	outcome := MailReplied
	inc, err := s.act(ctx, id, actCheck(actor), func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		now := tx.Now()
		for _, e := range events {
			if k, _ := e.Data["mail_key"].(string); k == key {
				return nil, errAlreadyRecorded
			}
		}
		var out []Event
		if inc.Status == StatusResolved {
			var resolvedAt time.Time
			for _, e := range events {
				if e.Kind == string(sla.Resolved) {
					resolvedAt = e.At
				}
			}
			if now.Sub(resolvedAt) >= reopenWithin || inc.ResolutionConfirmedAt != nil {
				return nil, ErrReopenWindowPassed
			}
			inc.Status = StatusNew
			if acknowledged(events) {
				inc.Status = StatusInProgress
			}
			outcome = MailReopened
			out = append(out, Event{Kind: string(sla.Reopened), ActorID: &actor.ID, Data: map[string]any{
				"public": true, "reason": "the customer replied by e-mail", "channel": "email"}})
		}
		data := map[string]any{"public": true, "body": body, "channel": "email", "mail_key": key}
		if attachments > 0 {
			data["attachments"] = attachments
		}
		out = append(out, Event{Kind: "customer_reply", ActorID: &actor.ID, Data: data})
		if inc.Status == StatusWaiting {
			inc.Status = StatusInProgress
			out = append(out, Event{Kind: string(sla.WaitEnded), ActorID: &actor.ID, Data: map[string]any{"reason": "customer replied"}})
		}
		return out, nil
	})
	if errors.Is(err, errAlreadyRecorded) {
		inc, err = s.store.FindIncidentByID(ctx, id)
		return inc, MailAlreadyThere, err
	}
	return inc, outcome, err
}

// LinkFollowUp records on both incidents that followUp was opened by a mail answering prev,
// which was resolved too long ago to reopen. Recording it twice adds nothing.
// Errors: not_found, or a storage error.
func (s *Service) LinkFollowUp(ctx context.Context, actor accounts.User, prev uuid.UUID, followUp Incident) error {
	old, err := s.store.FindIncidentByID(ctx, prev)
	if err != nil {
		return err
	}
	link := func(on uuid.UUID, ev Event) error {
		_, err := s.act(ctx, on, nil, func(tx dbx.Tx, _ *Incident, events []Event) ([]Event, error) {
			for _, e := range events {
				if e.Kind == ev.Kind && e.Data["incident_id"] == ev.Data["incident_id"] {
					return nil, errAlreadyRecorded
				}
			}
			return []Event{ev}, nil
		})
		if errors.Is(err, errAlreadyRecorded) {
			return nil
		}
		return err
	}
	ref := func(other Incident) map[string]any {
		return map[string]any{"public": true, "incident_id": other.ID.String(), "reference": other.Reference}
	}
	if err := link(followUp.ID, Event{Kind: KindFollowUpOf, ActorID: &actor.ID, Data: ref(old)}); err != nil {
		return err
	}
	return link(old.ID, Event{Kind: KindFollowUpOpened, ActorID: &actor.ID, Data: ref(followUp)})
}

// Participant reports whether the user takes part in the incident: opened it or wrote in it
// (a customer reply, by mail or through the API). A subject reference counts only for them.
// Errors: a storage error.
func (s *Service) Participant(ctx context.Context, id, userID uuid.UUID) (bool, error) {
	ok, err := s.store.participant(ctx, id, userID)
	return ok, dbx.Translate(err, "incident")
}

// FindIncidentIDByReference returns the id of the incident with that reference, or not_found.
func (s *Service) FindIncidentIDByReference(ctx context.Context, ref string) (uuid.UUID, error) {
	id, err := s.store.incidentIDByReference(ctx, strings.ToUpper(ref))
	return id, dbx.Translate(err, "incident")
}

// KeepMailLead stores the lead with the intake refusals (GET /v1/intake-rejections), once per
// message and code; without leads (see Deps) it keeps nothing.
// Errors: a storage error.
func (s *Service) KeepMailLead(ctx context.Context, l entitlement.MailLead) error {
	if s.leads == nil {
		return nil
	}
	return s.leads.KeepMailLead(ctx, l)
}

// IsRefusal reports whether err is an entitlement refusal of intake (kept as a lead), with its
// code and message.
func IsRefusal(err error) (code, message string, ok bool) {
	ae, ok := refusal(err)
	if !ok {
		return "", "", false
	}
	return ae.Code, ae.Message, true
}

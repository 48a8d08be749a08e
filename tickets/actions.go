package tickets

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
)

// Staff who work incidents. Executives read and receive escalations but do not work queues.
func worker(u accounts.User) bool {
	return u.Role == accounts.Engineer || u.Role == accounts.SupportManager || u.Role == accounts.Admin
}

var errStaffOnly = apperr.New(apperr.Forbidden, "forbidden", "only support staff may do this")

// errNotInGroup refuses a member acting on an incident they see but neither they nor a group
// co-member opened.
var errNotInGroup = apperr.New(apperr.Forbidden, "not_in_group",
	"only the member who opened this incident, members of a group with them and your organization's admins may act on it; an organization admin can add you to their group")

// actCheck returns the check of an action customers may take (staff pass it too), run on the
// locked incident: an incident the caller may not see is not_found, exactly as a missing one;
// one they see but may not act on is not_in_group.
func actCheck(actor accounts.User) func(Incident) error {
	return func(inc Incident) error {
		if !Visible(actor, inc) {
			return apperr.NotFoundf("incident not found")
		}
		if !MayAct(actor, inc) {
			return errNotInGroup
		}
		return nil
	}
}

func acknowledged(events []Event) bool {
	for _, e := range events {
		if e.Kind == string(sla.Acknowledged) {
			return true
		}
	}
	return false
}

func resolvedOrErr(inc *Incident) error {
	if inc.Status == StatusResolved {
		return conflict("incident_resolved", "the incident is resolved; reopen it first")
	}
	return nil
}

// Acknowledge is the first response (SPEC §2): a customer-visible message stating the severity
// and the assigned engineer. It needs an assignee.
// Errors: forbidden, not_found, assignee_required, already_acknowledged, incident_resolved.
func (s *Service) Acknowledge(ctx context.Context, actor accounts.User, id uuid.UUID, message string) (Incident, error) {
	if !worker(actor) {
		return Incident{}, errStaffOnly
	}
	return s.act(ctx, id, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		if inc.AssigneeID == nil {
			return nil, conflict("assignee_required", "assign an engineer before the first response")
		}
		if acknowledged(events) {
			return nil, conflict("already_acknowledged", "the first response was already given")
		}
		name, err := s.users.FindUserNameTx(ctx, tx, *inc.AssigneeID)
		if err != nil {
			return nil, err
		}
		text := fmt.Sprintf("We are working on %s at severity %d. Your engineer is %s.", inc.Reference, inc.Severity, name)
		if m := strings.TrimSpace(message); m != "" {
			text += "\n\n" + m
		}
		inc.Status = StatusInProgress
		if err := s.settleCredit(ctx, tx, inc.ID); err != nil {
			return nil, err
		}
		return []Event{{Kind: string(sla.Acknowledged), ActorID: &actor.ID, Data: map[string]any{
			"public": true, "message": text, "severity": inc.Severity, "assignee_id": *inc.AssigneeID}}}, nil
	})
}

// PostUpdate adds a status update. A public update from staff is customer-visible and restarts
// the update cadence; an internal one is a note. A customer's update is a reply: it ends waiting
// on the customer.
// Errors: forbidden, not_found, invalid_value (body), incident_resolved.
func (s *Service) PostUpdate(ctx context.Context, actor accounts.User, id uuid.UUID, body string, public bool) (Incident, error) {
	body = strings.TrimSpace(body)
	if body == "" || utf8.RuneCountInString(body) > maxDescription {
		return Incident{}, apperr.InvalidField("body", "body is required (at most %d characters)", maxDescription)
	}
	if actor.Role == accounts.Executive {
		return Incident{}, errStaffOnly
	}
	inc, err := s.act(ctx, id, actCheck(actor), func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		if actor.Role.Customer() {
			out := []Event{{Kind: "customer_reply", ActorID: &actor.ID, Data: map[string]any{"public": true, "body": body}}}
			if inc.Status == StatusWaiting {
				inc.Status = StatusInProgress
				out = append(out, Event{Kind: string(sla.WaitEnded), ActorID: &actor.ID, Data: map[string]any{"reason": "customer replied"}})
			}
			return out, nil
		}
		if !public {
			return []Event{{Kind: "internal_note", ActorID: &actor.ID, Data: map[string]any{"public": false, "body": body}}}, nil
		}
		return []Event{{Kind: string(sla.PublicUpdate), ActorID: &actor.ID, Data: map[string]any{"public": true, "body": body}}}, nil
	})
	return forAudience(actor, inc, err)
}

// Assign gives the incident to an engineer (or support manager). Engineers may take incidents
// for themselves; managers and admins assign anyone.
// Errors: forbidden, not_found, invalid_value (assignee_id), incident_resolved.
func (s *Service) Assign(ctx context.Context, actor accounts.User, id, assignee uuid.UUID) (Incident, error) {
	if !worker(actor) {
		return Incident{}, errStaffOnly
	}
	if actor.Role == accounts.Engineer && assignee != actor.ID {
		return Incident{}, apperr.New(apperr.Forbidden, "forbidden", "engineers assign incidents to themselves; ask a support manager")
	}
	eng, err := s.users.FindUserByID(ctx, assignee)
	if err != nil || (eng.Role != accounts.Engineer && eng.Role != accounts.SupportManager) {
		return Incident{}, apperr.InvalidField("assignee_id", "assignee_id must name an engineer or support manager")
	}
	return s.act(ctx, id, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		now := tx.Now()
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		prev := inc.AssigneeID
		inc.AssigneeID = &assignee
		data := map[string]any{"assignee_id": assignee, "channel": inc.Channel, "since_accepted": now.Sub(inc.AcceptedAt).String()}
		if prev != nil {
			data["previous_assignee_id"] = *prev
		}
		return []Event{{Kind: "assigned", ActorID: &actor.ID, Data: data}}, nil
	})
}

// Wait puts the incident in waiting on the customer: the update cadence and escalation clocks
// pause until the customer replies (or staff resume it). message is what the wait asks of the
// customer (SPEC §1: customer-visible); it is the entry's message on the timeline.
// Errors: forbidden, not_found, not_acknowledged, already_waiting, incident_resolved.
func (s *Service) Wait(ctx context.Context, actor accounts.User, id uuid.UUID, message string) (Incident, error) {
	if !worker(actor) {
		return Incident{}, errStaffOnly
	}
	return s.act(ctx, id, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		if inc.Status == StatusWaiting {
			return nil, conflict("already_waiting", "the incident is already waiting on the customer")
		}
		if !acknowledged(events) {
			return nil, conflict("not_acknowledged", "give the first response before waiting on the customer")
		}
		inc.Status = StatusWaiting
		return []Event{{Kind: string(sla.WaitStarted), ActorID: &actor.ID, Data: map[string]any{"public": true, "message": strings.TrimSpace(message)}}}, nil
	})
}

// Resolve closes the incident; open targets are met and pending escalations stop.
// Errors: forbidden, not_found, incident_resolved.
func (s *Service) Resolve(ctx context.Context, actor accounts.User, id uuid.UUID, resolution string) (Incident, error) {
	if !worker(actor) {
		return Incident{}, errStaffOnly
	}
	return s.act(ctx, id, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		out := []Event{}
		if inc.Status == StatusWaiting {
			out = append(out, Event{Kind: string(sla.WaitEnded), ActorID: &actor.ID})
		}
		inc.Status = StatusResolved
		return append(out, Event{Kind: string(sla.Resolved), ActorID: &actor.ID, Data: map[string]any{"public": true, "resolution": resolution}}), nil
	})
}

// Reopen brings a resolved incident back; its clocks resume with the time they had left.
// Customers may reopen their own incidents unless a customer confirmed the resolution; staff
// may reopen a confirmed one, which clears the confirmation.
// Errors: forbidden, not_found, not_in_group, not_resolved, resolution_confirmed.
func (s *Service) Reopen(ctx context.Context, actor accounts.User, id uuid.UUID, reason string) (Incident, error) {
	if !worker(actor) && !actor.Role.Customer() {
		return Incident{}, errStaffOnly
	}
	inc, err := s.act(ctx, id, actCheck(actor), func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		if inc.Status != StatusResolved {
			return nil, conflict("not_resolved", "only a resolved incident can be reopened")
		}
		if inc.ResolutionConfirmedAt != nil && actor.Role.Customer() {
			return nil, errConfirmed
		}
		inc.Status, inc.ResolutionConfirmedAt = StatusNew, nil
		if acknowledged(events) {
			inc.Status = StatusInProgress
		}
		return []Event{{Kind: string(sla.Reopened), ActorID: &actor.ID, Data: map[string]any{"public": true, "reason": reason}}}, nil
	})
	return forAudience(actor, inc, err)
}

// Patch changes severity and/or scope (staff), always with a reason: a severity change is shown to
// the customer with it, a scope change decides whether escalation applies. A severity change
// re-plans open targets from now; confirming a severity asked for by e-mail clears
// severity_confirmation_required. A scope other than product cancels pending escalations.
// Errors: forbidden, not_found, invalid_value (severity, scope), reason_required, incident_resolved.
func (s *Service) Patch(ctx context.Context, actor accounts.User, id uuid.UUID, severity *int, scope *Scope, reason string) (Incident, error) {
	if !worker(actor) {
		return Incident{}, errStaffOnly
	}
	if severity == nil && scope == nil {
		return Incident{}, apperr.InvalidField("severity", "give severity and/or scope")
	}
	if severity != nil && (*severity < 1 || *severity > 4) {
		return Incident{}, apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
	}
	if scope != nil && *scope != ScopeProduct && *scope != ScopeEnvironment && *scope != ScopeUnsupported {
		return Incident{}, apperr.InvalidField("scope", "scope must be product, environment or unsupported")
	}
	if strings.TrimSpace(reason) == "" {
		msg := "say why the severity changes; the customer sees the reason"
		if severity == nil {
			msg = "say why the scope changes"
		}
		return Incident{}, &apperr.Error{Kind: apperr.Invalid, Code: "reason_required", Field: "reason", Message: msg}
	}
	return s.act(ctx, id, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		var out []Event
		if severity != nil && (*severity != inc.Severity || inc.SeverityConfirmationRequired) {
			out = append(out, Event{Kind: string(sla.SeverityChanged), ActorID: &actor.ID, Data: map[string]any{
				"public": true, "severity": *severity, "from": inc.Severity, "reason": reason, "confirmed": inc.SeverityConfirmationRequired}})
			inc.Severity, inc.SeverityConfirmationRequired = *severity, false
		}
		if scope != nil && *scope != inc.Scope {
			out = append(out, Event{Kind: string(sla.ScopeChanged), ActorID: &actor.ID, Data: map[string]any{
				"scope": string(*scope), "from": string(inc.Scope), "reason": reason}})
			inc.Scope = *scope
		}
		if len(out) == 0 {
			return nil, conflict("no_change", "severity and scope are already as given")
		}
		return out, nil
	})
}

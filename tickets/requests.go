package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
)

// reclassificationAfter is when a severity-3 incident's reclassification to 2 is granted without
// a manager (seed 003 §6: 30 days unresolved).
const reclassificationAfter = 30 * 24 * time.Hour

// RequestEscalation is a customer's request to escalate (SPEC §2): allowed where the policy says
// "on request", and for premium and platinum severity 2 to the support manager once the cell's
// time (72 h) has run, as a formal request that a manager answers with a remediation plan.
// Level 0 means the next level. An accepted request escalates at once.
// Errors: forbidden, not_found, invalid_value (level), escalation_not_available (with the reason),
// out_of_scope, already_escalated, incident_resolved.
func (s *Service) RequestEscalation(ctx context.Context, actor accounts.User, id uuid.UUID, level int, reason string) (Incident, error) {
	if !actor.Role.Customer() && !worker(actor) {
		return Incident{}, errStaffOnly
	}
	if level < 0 || level > 2 {
		return Incident{}, apperr.InvalidField("level", "level is 1 (support manager) or 2 (executive)")
	}
	var (
		outbox []uuid.UUID
		want   int
	)
	inc, err := s.act(ctx, id, actCheck(actor), func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		now := tx.Now()
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		want = level
		if want == 0 {
			want = inc.EscalationLevel + 1
		}
		p, err := s.escalationPolicy(ctx, inc)
		if err != nil {
			return nil, err
		}
		formal, err := decideEscalation(p, *inc, want, now)
		if err != nil {
			return nil, err
		}
		data := map[string]any{"level": want, "reason": "customer_request", "cause": sla.CauseRequest, "request": strings.TrimSpace(reason), "public": true}
		if formal {
			data["remediation_plan_required"] = true
		}
		if want > inc.EscalationLevel {
			inc.EscalationLevel = want
		}
		if s.esc != nil {
			if outbox, err = s.esc.Escalated(ctx, tx, []Escalation{{Incident: *inc, Level: want, Reason: "customer_request"}}); err != nil {
				return nil, err
			}
		}
		return []Event{{Kind: "escalation_requested", ActorID: &actor.ID, Data: map[string]any{"level": want, "reason": reason, "public": true}},
			{Kind: string(sla.Escalated), ActorID: &actor.ID, Data: data}}, nil
	})
	if err == nil && s.sched != nil && len(outbox) > 0 {
		s.sched.Deliver(ctx, outbox)
	}
	if err == nil && s.obs != nil {
		s.obs.Escalated(want, string(sla.CauseRequest))
	}
	return forAudience(actor, inc, err)
}

// escalationPolicy is the policy a customer's escalation request is judged by: the version the
// incident is planned with. Versions are immutable and cached; act took this one's snapshot before
// its transaction, so inside it this reads nothing.
func (s *Service) escalationPolicy(ctx context.Context, inc *Incident) (sla.Policy, error) {
	return s.planner.Policy(ctx, sla.Tier(inc.Tier), inc.PolicyVersion)
}

// decideEscalation is the rule of a customer's request for escalation level want at now
// (SPEC §2): allowed where the cell says "on request", and for premium/platinum severity 2 to the
// support manager once the cell's time has run (formal: a remediation plan is owed).
// Errors: out_of_scope, already_escalated, escalation_not_available (with when it becomes
// available, as the detail "available_from", where the rule says).
func decideEscalation(p sla.Policy, inc Incident, want int, now time.Time) (formal bool, err error) {
	if inc.Scope != ScopeProduct {
		return false, apperr.New(apperr.Conflict, "out_of_scope",
			"escalation applies only to product problems; this incident's scope is %s", inc.Scope)
	}
	if want > 2 {
		return false, conflict("already_escalated", "the incident is at the highest escalation level")
	}
	if want <= inc.EscalationLevel {
		return false, conflict("already_escalated", fmt.Sprintf("the incident is already at escalation level %d", inc.EscalationLevel))
	}
	target, _ := sla.EscalationTarget(want)
	cell, ok := p.Cell(inc.Severity, target)
	from, timed := availableFrom(ok, cell, inc, want)
	switch {
	case ok && cell.Kind == sla.OnRequest:
		return false, nil
	case timed && !now.Before(from):
		return true, nil // the manager owes a remediation plan
	}
	e := apperr.New(apperr.Conflict, "escalation_not_available",
		"a %s severity %d incident cannot be escalated to %s on request", inc.Tier, inc.Severity, target)
	if timed {
		e.Message += fmt.Sprintf(" before %s (it escalates by itself then)", from.Format(time.RFC3339))
		e = e.With("available_from", from)
	}
	return false, e
}

// availableFrom is when a formal request becomes possible: premium/platinum severity 2, to the
// support manager, once the cell's duration has run since acceptance.
func availableFrom(ok bool, cell sla.Cell, inc Incident, level int) (time.Time, bool) {
	if ok && level == 1 && inc.Severity == 2 && inc.Tier != string(sla.Standard) && cell.Kind == sla.Duration {
		return inc.AcceptedAt.Add(cell.Duration), true
	}
	return time.Time{}, false
}

// EscalationOption says whether the caller may request the next escalation level of an incident
// now and, when not yet, from when (zero when the rules give no time).
type EscalationOption struct {
	Level     int
	Available bool
	// Refusal is the error a request would get now (nil when Available); its code says why.
	Refusal error
	From    time.Time
}

// NextEscalation answers, without changing anything, what RequestEscalation would answer for the
// next level now: the same rule (decideEscalation), for pages that show the button's state.
// Errors: not_found, not_in_group, forbidden (the request itself is refused, not an option).
func (s *Service) NextEscalation(ctx context.Context, actor accounts.User, id uuid.UUID) (EscalationOption, error) {
	if !actor.Role.Customer() && !worker(actor) {
		return EscalationOption{}, errStaffOnly
	}
	inc, err := s.store.FindIncidentByID(ctx, id)
	if err != nil {
		return EscalationOption{}, err
	}
	if err := actCheck(actor)(inc); err != nil {
		return EscalationOption{}, err
	}
	opt := EscalationOption{Level: inc.EscalationLevel + 1}
	if err := resolvedOrErr(&inc); err != nil {
		opt.Refusal = err
		return opt, nil
	}
	p, err := s.escalationPolicy(ctx, &inc)
	if err != nil {
		return EscalationOption{}, err
	}
	_, opt.Refusal = decideEscalation(p, inc, opt.Level, s.clock.Now())
	opt.Available = opt.Refusal == nil
	var ae *apperr.Error
	if errors.As(opt.Refusal, &ae) {
		if t, ok := ae.Details["available_from"].(time.Time); ok {
			opt.From = t
		}
	}
	return opt, nil
}

// AgreeRemediation is a support manager's answer to a formal escalation request: a plan and an
// agreed resolution time, which becomes the incident's remediation target.
// Errors: forbidden, not_found, invalid_value (resolve_by, plan), incident_resolved.
func (s *Service) AgreeRemediation(ctx context.Context, actor accounts.User, id uuid.UUID, plan string, resolveBy time.Time) (Incident, error) {
	if actor.Role != accounts.SupportManager && actor.Role != accounts.Admin {
		return Incident{}, apperr.New(apperr.Forbidden, "forbidden", "support managers agree remediation plans")
	}
	if strings.TrimSpace(plan) == "" {
		return Incident{}, apperr.InvalidField("plan", "describe the remediation plan")
	}
	return s.act(ctx, id, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		now := tx.Now()
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		if !resolveBy.After(now) {
			return nil, apperr.InvalidField("resolve_by", "resolve_by must be in the future")
		}
		return []Event{{Kind: string(sla.RemediationAgreed), ActorID: &actor.ID, Data: map[string]any{
			"due_at": resolveBy.UTC().Format(time.RFC3339Nano), "plan": plan, "public": true}}}, nil
	})
}

// Reclassification is a request to reclassify severity 3 to 2.
type Reclassification struct {
	ID             uuid.UUID
	IncidentID     uuid.UUID
	RequestedBy    uuid.UUID
	Reason         string
	State          string
	DecidedBy      *uuid.UUID
	DecisionReason string
	CreatedAt      time.Time
	DecidedAt      *time.Time
}

// RequestReclassification asks for severity 3 to become 2 (seed 003 §6). After 30 days
// unresolved it is granted at once and the incident re-planned; before, a support manager decides.
// Errors: forbidden, not_found, invalid_value (reason), reclassification_not_available,
// already_requested, incident_resolved.
func (s *Service) RequestReclassification(ctx context.Context, actor accounts.User, id uuid.UUID, reason string) (Reclassification, Incident, error) {
	if strings.TrimSpace(reason) == "" {
		return Reclassification{}, Incident{}, apperr.InvalidField("reason", "say why the severity should be 2")
	}
	var req reclassRow
	inc, err := s.act(ctx, id, actCheck(actor), func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		now := tx.Now()
		if err := resolvedOrErr(inc); err != nil {
			return nil, err
		}
		if inc.Severity != 3 {
			return nil, conflict("reclassification_not_available", "only severity 3 incidents can be reclassified (to severity 2)")
		}
		req = reclassRow{ID: uuid.Must(uuid.NewV7()), IncidentID: inc.ID, RequestedBy: actor.ID, Reason: reason, State: "pending", CreatedAt: now}
		out := []Event{{Kind: "reclassification_requested", ActorID: &actor.ID, Data: map[string]any{"request_id": req.ID, "reason": reason, "public": true}}}
		if now.Sub(inc.AcceptedAt) >= reclassificationAfter {
			req.State, req.DecisionReason, req.DecidedAt = "approved", "granted automatically: unresolved for 30 days", &now
			out = append(out, Event{Kind: string(sla.SeverityChanged), ActorID: &actor.ID, Data: map[string]any{
				"severity": 2, "from": 3, "reason": req.DecisionReason, "request_id": req.ID, "public": true}})
			inc.Severity = 2
		}
		if err := s.store.createReclass(ctx, tx, req); err != nil {
			if _, dup := uniqueViolation(err); dup {
				return nil, conflict("already_requested", "a reclassification request is already pending")
			}
			return nil, err
		}
		return out, nil
	})
	inc, err = forAudience(actor, inc, err)
	return req.toReclassification(), inc, err
}

// DecideReclassification approves (re-planning at severity 2) or rejects a pending request, with
// the reason. Support managers.
// Errors: forbidden, not_found, invalid_value (reason), already_decided.
func (s *Service) DecideReclassification(ctx context.Context, actor accounts.User, requestID uuid.UUID, approve bool, reason string) (Reclassification, Incident, error) {
	if actor.Role != accounts.SupportManager && actor.Role != accounts.Admin {
		return Reclassification{}, Incident{}, apperr.New(apperr.Forbidden, "forbidden", "support managers decide reclassification requests")
	}
	if strings.TrimSpace(reason) == "" {
		return Reclassification{}, Incident{}, apperr.InvalidField("reason", "give the reason for the decision")
	}
	req, err := s.store.findReclass(ctx, requestID)
	if err != nil {
		return Reclassification{}, Incident{}, translate(err, "reclassification request")
	}
	inc, err := s.act(ctx, req.IncidentID, nil, func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error) {
		now := tx.Now()
		state := "rejected"
		if approve {
			state = "approved"
		}
		decided, err := s.store.decideReclass(ctx, tx, requestID, state, actor.ID, reason)
		if err != nil {
			return nil, err
		}
		if !decided {
			return nil, conflict("already_decided", "the request was already decided")
		}
		req.State, req.DecidedBy, req.DecisionReason, req.DecidedAt = state, &actor.ID, reason, &now
		out := []Event{{Kind: KindReclassRejected, ActorID: &actor.ID, Data: map[string]any{"request_id": requestID, "reason": reason, "public": true}}}
		if approve {
			out[0].Kind = KindReclassApproved
		}
		if approve && inc.Severity == 3 {
			out = append(out, Event{Kind: string(sla.SeverityChanged), ActorID: &actor.ID, Data: map[string]any{
				"severity": 2, "from": 3, "reason": reason, "request_id": requestID, "public": true}})
			inc.Severity = 2
		}
		return out, nil
	})
	return req.toReclassification(), inc, err
}

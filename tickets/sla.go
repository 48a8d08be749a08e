package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// Planner is what incidents need from the SLA catalogue: the snapshot (policy and calendars) a
// new incident is planned with, and the snapshot an incident is pinned to. Snapshots are taken
// before a transaction opens; planning inside one is pure (catalog.Snapshot.Plan).
type Planner interface {
	Current(ctx context.Context, tier sla.Tier) (catalog.Snapshot, error)
	Snapshot(ctx context.Context, pin catalog.Pin) (catalog.Snapshot, error)
	Policy(ctx context.Context, tier sla.Tier, version int) (sla.Policy, error)
}

// pinOf is the versions the incident is planned with.
func pinOf(inc Incident) catalog.Pin {
	return catalog.Pin{Tier: sla.Tier(inc.Tier), Policy: inc.PolicyVersion, Calendars: inc.CalendarVersions}
}

// snapshots takes the planning snapshot of each incident, one per distinct pin, keyed by
// incident id. It reads (at most) the catalogue, so it runs before a transaction opens.
func (s *Service) snapshots(ctx context.Context, incs []Incident) (map[uuid.UUID]catalog.Snapshot, error) {
	out := make(map[uuid.UUID]catalog.Snapshot, len(incs))
	byPin := map[string]catalog.Snapshot{}
	for _, inc := range incs {
		pin := pinOf(inc)
		key := pin.Key()
		snap, ok := byPin[key]
		if !ok {
			var err error
			if snap, err = s.planner.Snapshot(ctx, pin); err != nil {
				return nil, err
			}
			byPin[key] = snap
		}
		out[inc.ID] = snap
	}
	return out, nil
}

// SLA is an incident's "sla" block: every target with its due time and state.
type SLA struct {
	PolicyVersion int
	Targets       []catalog.Target
}

// planKinds are the timeline's event kinds that planning reads; planData are the only keys of
// their data it reads. Reading an sla block needs these alone (findPlanEventsOf), never the
// explanations that make up the bulk of a timeline.
var (
	planKinds = map[string]bool{"opened": true, string(sla.Acknowledged): true, string(sla.PublicUpdate): true,
		string(sla.WaitStarted): true, string(sla.WaitEnded): true, string(sla.Resolved): true, string(sla.Reopened): true,
		string(sla.SeverityChanged): true, string(sla.Escalated): true, string(sla.RemediationAgreed): true, string(sla.ScopeChanged): true}
	planData = []string{"severity", "level", "cause", "reason", "due_at", "scope"}
)

// PlanInput turns an incident and its timeline into the planner's input. The timeline's event
// kinds that matter to deadlines are named as the planner names them; "opened" carries the
// severity the incident was accepted with.
func PlanInput(inc Incident, events []Event) sla.Incident {
	in := sla.Incident{Tier: sla.Tier(inc.Tier), Severity: inc.Severity, AcceptedAt: inc.AcceptedAt}
	for _, e := range events {
		if !planKinds[e.Kind] {
			continue
		}
		if e.Kind == "opened" {
			if s, ok := num(e.Data["severity"]); ok {
				in.Severity = s
			}
			continue
		}
		ev := sla.Event{Kind: sla.EventKind(e.Kind), At: e.At}
		switch ev.Kind {
		case sla.SeverityChanged:
			ev.Severity, _ = num(e.Data["severity"])
		case sla.Escalated:
			ev.Level, _ = num(e.Data["level"])
			ev.Cause = escalationCause(e.Data)
		case sla.RemediationAgreed:
			if s, ok := e.Data["due_at"].(string); ok {
				ev.DueAt, _ = time.Parse(time.RFC3339Nano, s)
			}
		case sla.ScopeChanged:
			s, _ := e.Data["scope"].(string)
			ev.Scope = sla.Scope(s)
		}
		in.Events = append(in.Events, ev)
	}
	return in
}

// escalationCause reads what caused a stored "escalated" event: its "cause", or for events stored
// before causes were (migration 00014 adds them) its "reason" ("customer_request" or "deadline").
func escalationCause(data map[string]any) sla.Cause {
	if c, ok := data["cause"].(string); ok && c != "" {
		return sla.Cause(c)
	}
	if r, _ := data["reason"].(string); r == "customer_request" {
		return sla.CauseRequest
	}
	return sla.CauseDeadline
}

// num reads a JSON number (float64 after decoding, int when built in memory).
func num(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case int:
		return n, true
	}
	return 0, false
}

// withSLA fills the sla blocks of incidents, reading all their timelines in one query. explain
// adds each target's explanation: single-incident answers to staff carry it, lists leave it out
// (it is the bulk of the block), and customers never get it (SPEC §1: staff-only content).
func (s *Service) withSLA(ctx context.Context, incs []Incident, explain bool) error {
	if s.planner == nil || len(incs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	snaps, err := s.snapshots(ctx, incs)
	if err != nil {
		return err
	}
	byInc, err := s.store.findPlanEventsOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range incs {
		if incs[i].SLA, err = s.planBlock(snaps[incs[i].ID], incs[i], byInc[incs[i].ID], explain); err != nil {
			return err
		}
	}
	return nil
}

// slaBlock plans one incident from a timeline already read; explain as for withSLA.
func (s *Service) slaBlock(ctx context.Context, inc Incident, events []Event, explain bool) (*SLA, error) {
	if s.planner == nil {
		return nil, nil
	}
	snap, err := s.planner.Snapshot(ctx, pinOf(inc))
	if err != nil {
		return nil, err
	}
	return s.planBlock(snap, inc, events, explain)
}

// planBlock plans the incident's sla block with its snapshot, at now. Pure.
func (s *Service) planBlock(snap catalog.Snapshot, inc Incident, events []Event, explain bool) (*SLA, error) {
	res, err := snap.Plan(PlanInput(inc, events), s.clock.Now())
	if err != nil {
		return nil, err
	}
	return slaOf(res, explain), nil
}

// slaOf is the sla block of a plan; explain as for withSLA.
func slaOf(res sla.Result, explain bool) *SLA {
	block := &SLA{PolicyVersion: res.PolicyVersion, Targets: make([]catalog.Target, len(res.Deadlines))}
	for k, d := range res.Deadlines {
		block.Targets[k] = catalog.FromDeadline(d, explain)
		block.Targets[k].Steps = nil // the lines say it; the steps stay in the timeline's sla_planned entries
	}
	return block
}

// forAudience takes the SLA explanations out of an action's answer when a customer acted: the
// actions customers share with staff answer with the incident as act returns it, explained.
func forAudience(actor accounts.User, inc Incident, err error) (Incident, error) {
	if err == nil && actor.Role.Customer() && inc.SLA != nil {
		sla := *inc.SLA
		sla.Targets = append([]catalog.Target(nil), sla.Targets...)
		for i := range sla.Targets {
			sla.Targets[i].Explanation = nil
		}
		inc.SLA = &sla
	}
	return inc, err
}

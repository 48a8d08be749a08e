package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// Planner is what incidents need from the SLA catalogue: the policy version a new incident is
// planned with, and the plan of an incident under the version it keeps.
type Planner interface {
	CurrentPolicy(ctx context.Context, tier sla.Tier) (sla.Policy, error)
	Plan(ctx context.Context, version int, in sla.Incident, now time.Time) (sla.Result, error)
}

// SLA is an incident's "sla" block: every target with its due time and state.
type SLA struct {
	PolicyVersion int              `json:"policy_version"`
	Targets       []catalog.Target `json:"targets"`
}

// PlanInput turns an incident and its timeline into the planner's input. The timeline's event
// kinds that matter to deadlines are named as the planner names them; "opened" carries the
// severity the incident was accepted with.
func PlanInput(inc Incident, events []Event) sla.Incident {
	in := sla.Incident{Tier: sla.Tier(inc.Tier), Severity: inc.Severity, AcceptedAt: inc.AcceptedAt}
	for _, e := range events {
		if e.Kind == "opened" {
			if s, ok := num(e.Data["severity"]); ok {
				in.Severity = s
			}
			continue
		}
		ev := sla.Event{Kind: sla.EventKind(e.Kind), At: e.At}
		switch ev.Kind {
		case sla.Acknowledged, sla.PublicUpdate, sla.WaitStarted, sla.WaitEnded, sla.Resolved, sla.Reopened:
		case sla.SeverityChanged:
			ev.Severity, _ = num(e.Data["severity"])
		case sla.Escalated:
			ev.Level, _ = num(e.Data["level"])
		case sla.RemediationAgreed:
			if s, ok := e.Data["due_at"].(string); ok {
				ev.DueAt, _ = time.Parse(time.RFC3339Nano, s)
			}
		case sla.ScopeChanged:
			s, _ := e.Data["scope"].(string)
			ev.Scope = sla.Scope(s)
		default:
			continue
		}
		in.Events = append(in.Events, ev)
	}
	return in
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

// withSLA fills the sla blocks of incidents, reading all their timelines in one query.
func (s *Service) withSLA(ctx context.Context, incs []Incident) error {
	if s.planner == nil || len(incs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	byInc, err := s.store.findEventsOf(ctx, ids)
	if err != nil {
		return err
	}
	for i := range incs {
		if incs[i].SLA, err = s.slaBlock(ctx, incs[i], byInc[incs[i].ID]); err != nil {
			return err
		}
	}
	return nil
}

// slaBlock plans one incident from a timeline already read.
func (s *Service) slaBlock(ctx context.Context, inc Incident, events []Event) (*SLA, error) {
	if s.planner == nil {
		return nil, nil
	}
	res, err := s.planner.Plan(ctx, inc.PolicyVersion, PlanInput(inc, events), s.clock.Now())
	if err != nil {
		return nil, err
	}
	block := &SLA{PolicyVersion: res.PolicyVersion, Targets: make([]catalog.Target, len(res.Deadlines))}
	for k, d := range res.Deadlines {
		block.Targets[k] = catalog.FromDeadline(d, false)
	}
	return block, nil
}

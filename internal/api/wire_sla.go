package api

import (
	"encoding/json"
	"time"

	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// policyWire is a policy version. Its cells keep the catalog's JSON form, which is also how they
// are stored.
type policyWire struct {
	Tier      string         `json:"tier" enum:"standard|premium|platinum"`
	Version   int            `json:"version"`
	Cells     []catalog.Cell `json:"cells"`
	CreatedAt time.Time      `json:"created_at"`
}

func toPolicyWire(p catalog.PolicyVersion) policyWire {
	return policyWire{Tier: p.Tier, Version: p.Version, Cells: p.Cells, CreatedAt: p.CreatedAt}
}

// previewRequest is POST /v1/sla/preview.
type previewRequest struct {
	Tier       string          `json:"tier" required:"true" enum:"standard|premium|platinum"`
	Severity   int             `json:"severity" required:"true"`
	AcceptedAt time.Time       `json:"accepted_at" required:"true"`
	Events     []previewEvent  `json:"events"`
	Now        *time.Time      `json:"now" doc:"judge met/breached at this instant (default: after every event)"`
	Policy     json.RawMessage `json:"policy" doc:"a policy version number, or {\"cells\": [...]} merged onto the current policy"`
	Calendar   json.RawMessage `json:"calendar" doc:"a calendar name, or a calendar object, for every business clock"`
}

// previewEvent is one event of a previewed incident's life.
type previewEvent struct {
	Kind     string    `json:"kind" required:"true" enum:"acknowledged|public_update|wait_started|wait_ended|severity_changed|escalated|remediation_agreed|scope_changed|resolved|reopened"`
	At       time.Time `json:"at" required:"true"`
	Severity int       `json:"severity,omitempty"`
	Level    int       `json:"level,omitempty"`
	DueAt    time.Time `json:"due_at,omitzero"`
	Scope    string    `json:"scope,omitempty"`
	Cause    string    `json:"cause,omitempty" enum:"deadline|request" doc:"escalated: what reached the level"`
}

func (r previewRequest) toPreview() catalog.PreviewRequest {
	out := catalog.PreviewRequest{Tier: r.Tier, Severity: r.Severity, AcceptedAt: r.AcceptedAt, Now: r.Now,
		Policy: r.Policy, Calendar: r.Calendar}
	if r.Events != nil {
		out.Events = make([]catalog.Event, len(r.Events))
		for i, e := range r.Events {
			out.Events[i] = catalog.Event(e)
		}
	}
	return out
}

// previewWire is a previewed plan: every target's deadline with its explanation.
type previewWire struct {
	Tier          sla.Tier         `json:"tier"`
	Severity      int              `json:"severity"`
	AcceptedAt    time.Time        `json:"accepted_at"`
	PolicyVersion int              `json:"policy_version"`
	Draft         bool             `json:"draft,omitempty" doc:"planned with an unsaved policy"`
	Targets       []catalog.Target `json:"targets"`
}

func toPreviewWire(p catalog.PreviewResult) previewWire {
	return previewWire{Tier: p.Tier, Severity: p.Severity, AcceptedAt: p.AcceptedAt, PolicyVersion: p.PolicyVersion,
		Draft: p.Draft, Targets: p.Targets}
}

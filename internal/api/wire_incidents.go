package api

import (
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// incidentWire is an incident on the wire, with its SLA block.
type incidentWire struct {
	ID                           uuid.UUID       `json:"id"`
	Reference                    string          `json:"reference"`
	OrganizationID               uuid.UUID       `json:"organization_id"`
	Product                      string          `json:"product"`
	Title                        string          `json:"title"`
	Description                  string          `json:"description"`
	Tier                         string          `json:"tier" enum:"standard|premium|platinum"`
	Severity                     int             `json:"severity"`
	RequestedSeverity            *int            `json:"requested_severity"`
	SeverityConfirmationRequired bool            `json:"severity_confirmation_required"`
	Status                       tickets.Status  `json:"status"`
	Channel                      tickets.Channel `json:"channel"`
	Scope                        tickets.Scope   `json:"scope"`
	AssigneeID                   *uuid.UUID      `json:"assignee_id"`
	EscalationLevel              int             `json:"escalation_level"`
	OpenedBy                     uuid.UUID       `json:"opened_by"`
	EntitlementID                *uuid.UUID      `json:"entitlement_id"`
	InGrace                      bool            `json:"in_grace"`
	GraceEndsAt                  *time.Time      `json:"grace_ends_at"`
	Warnings                     []string        `json:"warnings,omitempty" doc:"shown once, at intake"`
	PolicyVersion                int             `json:"policy_version"`
	AcceptedAt                   time.Time       `json:"accepted_at"`
	CreatedAt                    time.Time       `json:"created_at"`
	UpdatedAt                    time.Time       `json:"updated_at"`
	ResolutionConfirmedAt        *time.Time      `json:"resolution_confirmed_at"`
	SLA                          *slaWire        `json:"sla"`
}

// slaWire is an incident's SLA block: the policy version it was planned with and each target.
type slaWire struct {
	PolicyVersion int              `json:"policy_version"`
	Targets       []catalog.Target `json:"targets"`
}

func toIncidentWire(in tickets.Incident) incidentWire {
	out := incidentWire{ID: in.ID, Reference: in.Reference, OrganizationID: in.OrganizationID, Product: in.Product,
		Title: in.Title, Description: in.Description, Tier: in.Tier, Severity: in.Severity, RequestedSeverity: in.RequestedSeverity,
		SeverityConfirmationRequired: in.SeverityConfirmationRequired, Status: in.Status, Channel: in.Channel, Scope: in.Scope,
		AssigneeID: in.AssigneeID, EscalationLevel: in.EscalationLevel, OpenedBy: in.OpenedBy, EntitlementID: in.EntitlementID,
		InGrace: in.InGrace, GraceEndsAt: in.GraceEndsAt, Warnings: in.Warnings, PolicyVersion: in.PolicyVersion,
		AcceptedAt: in.AcceptedAt, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, ResolutionConfirmedAt: in.ResolutionConfirmedAt}
	if in.SLA != nil {
		out.SLA = &slaWire{PolicyVersion: in.SLA.PolicyVersion, Targets: in.SLA.Targets}
	}
	return out
}

func toIncidentWires(ins []tickets.Incident) []incidentWire {
	if ins == nil {
		return nil
	}
	out := make([]incidentWire, len(ins))
	for i, in := range ins {
		out[i] = toIncidentWire(in)
	}
	return out
}

// incidentPage is a page of incidents.
type incidentPage struct {
	Items []incidentWire `json:"items"`
	Next  string         `json:"next_cursor,omitempty"`
}

// queueItemWire is an open incident in the queue with its nearest open deadline.
type queueItemWire struct {
	incidentWire
	NextDueAt  *time.Time  `json:"next_due_at"`
	NextTarget *sla.Target `json:"next_target"`
}

// queueWire is the queue, most urgent first.
type queueWire struct {
	Items []queueItemWire `json:"items"`
}

func toQueueWire(items []tickets.QueueItem) queueWire {
	var out queueWire
	if items != nil {
		out.Items = make([]queueItemWire, len(items))
		for i, q := range items {
			out.Items[i] = queueItemWire{incidentWire: toIncidentWire(q.Incident), NextDueAt: q.NextDueAt, NextTarget: q.NextTarget}
		}
	}
	return out
}

// claimRequest narrows what POST /v1/queue/claim may hand out.
type claimRequest struct {
	Mine       bool   `json:"mine,omitempty"`
	Unassigned bool   `json:"unassigned,omitempty"`
	Tier       string `json:"tier,omitempty" enum:"standard|premium|platinum"`
	Severity   int    `json:"severity,omitempty"`
	Product    string `json:"product,omitempty"`
	Office     string `json:"office,omitempty" doc:"the office of the customer's organisation"`
	Limit      int    `json:"limit,omitempty"`
}

func (r claimRequest) filter() tickets.QueueFilter {
	return tickets.QueueFilter{Mine: r.Mine, Unassigned: r.Unassigned, Tier: r.Tier, Severity: r.Severity,
		Product: r.Product, Office: r.Office, Limit: r.Limit}
}

// timelineWire is a page of an incident's timeline.
type timelineWire struct {
	Events     []timelineEntry `json:"events"`
	IncidentID uuid.UUID       `json:"incident_id"`
	Next       string          `json:"next_cursor,omitempty"`
}

// timelineEntry is a timeline event with its author's id and name (null for the engine's own
// entries, such as timer outcomes).
type timelineEntry struct {
	ID         int64          `json:"id"`
	IncidentID uuid.UUID      `json:"incident_id"`
	Kind       string         `json:"kind"`
	ActorID    *uuid.UUID     `json:"actor_id"`
	At         time.Time      `json:"at"`
	Data       map[string]any `json:"data"`
	Author     *author        `json:"author"`
}

type author struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// reclassificationWire is a reclassification request with the incident as it now stands.
type reclassificationWire struct {
	Incident incidentWire                `json:"incident"`
	Request  reclassificationRequestWire `json:"request"`
}

type reclassificationRequestWire struct {
	ID             uuid.UUID  `json:"id"`
	IncidentID     uuid.UUID  `json:"incident_id"`
	RequestedBy    uuid.UUID  `json:"requested_by"`
	Reason         string     `json:"reason"`
	State          string     `json:"state" enum:"pending|approved|rejected"`
	DecidedBy      *uuid.UUID `json:"decided_by"`
	DecisionReason string     `json:"decision_reason"`
	CreatedAt      time.Time  `json:"created_at"`
	DecidedAt      *time.Time `json:"decided_at"`
}

func toReclassificationWire(r tickets.Reclassification, in tickets.Incident) reclassificationWire {
	return reclassificationWire{Request: reclassificationRequestWire{ID: r.ID, IncidentID: r.IncidentID, RequestedBy: r.RequestedBy,
		Reason: r.Reason, State: r.State, DecidedBy: r.DecidedBy, DecisionReason: r.DecisionReason, CreatedAt: r.CreatedAt,
		DecidedAt: r.DecidedAt}, Incident: toIncidentWire(in)}
}

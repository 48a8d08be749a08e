// Package tickets holds incidents: their types and lifecycle rules, intake (entitlement,
// classification, idempotency), listing scoped to the caller, and their PostgreSQL store.
package tickets

import (
	"time"

	"github.com/google/uuid"
)

// Status is where an incident is in its lifecycle.
type Status string

// Incident statuses.
const (
	StatusNew        Status = "new"         // accepted, no first response yet
	StatusInProgress Status = "in_progress" // acknowledged by an engineer
	StatusWaiting    Status = "waiting_on_customer"
	StatusResolved   Status = "resolved"
)

// Channel is how the incident reached support.
type Channel string

// Intake channels.
const (
	ChannelWeb   Channel = "web"
	ChannelEmail Channel = "email"
	ChannelPhone Channel = "phone"
	ChannelAPI   Channel = "api"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	return c == ChannelWeb || c == ChannelEmail || c == ChannelPhone || c == ChannelAPI
}

// CustomerChosen reports whether a customer may name c for their own request. Phone and e-mail
// are recorded by staff (or observed by the mail reader), never claimed by the customer.
func (c Channel) CustomerChosen() bool { return c == ChannelWeb || c == ChannelAPI }

// Scope says whether escalation applies (SPEC §2: only to product problems).
type Scope string

// Scopes.
const (
	ScopeProduct     Scope = "product"
	ScopeEnvironment Scope = "environment"
	ScopeUnsupported Scope = "unsupported"
)

// Incident is a customer's support case.
type Incident struct {
	ID                           uuid.UUID
	Reference                    string
	OrganizationID               uuid.UUID
	Product                      string
	Title                        string
	Description                  string
	Tier                         string
	Severity                     int
	RequestedSeverity            *int
	SeverityConfirmationRequired bool
	Status                       Status
	Channel                      Channel
	Scope                        Scope
	AssigneeID                   *uuid.UUID
	EscalationLevel              int
	OpenedBy                     uuid.UUID
	EntitlementID                *uuid.UUID
	InGrace                      bool
	GraceEndsAt                  *time.Time
	Warnings                     []string // shown once, at intake
	PolicyVersion                int
	// CalendarVersions pins the calendars the incident is planned with (name → version), as
	// PolicyVersion pins its policy: a later calendar edit never re-plans it.
	CalendarVersions map[string]int
	AcceptedAt       time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// ResolutionConfirmedAt is when a customer confirmed the resolution; reopening clears it.
	ResolutionConfirmedAt *time.Time
	SLA                   *SLA
}

// Event is one entry of an incident's timeline.
type Event struct {
	ID         int64          `json:"id"`
	IncidentID uuid.UUID      `json:"incident_id"`
	Kind       string         `json:"kind"`
	ActorID    *uuid.UUID     `json:"actor_id"`
	At         time.Time      `json:"at"`
	Data       map[string]any `json:"data"`
}

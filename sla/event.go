package sla

import "time"

// EventKind names something that happened to an incident and matters to its
// deadlines.
type EventKind string

// The event kinds the planner understands.
const (
	// Acknowledged is the first response (SPEC §2): it meets first_response
	// and starts the update cadence. Later acknowledgements change nothing.
	Acknowledged EventKind = "acknowledged"
	// PublicUpdate is a customer-visible update; it meets the current
	// cadence cycle and starts the next one.
	PublicUpdate EventKind = "public_update"
	// WaitStarted and WaitEnded bracket waiting on the customer, which
	// pauses the update cadence and the escalation clocks (not the first
	// response); they resume with the time that was left.
	WaitStarted EventKind = "wait_started"
	WaitEnded   EventKind = "wait_ended"
	// SeverityChanged sets Event.Severity from this moment on.
	SeverityChanged EventKind = "severity_changed"
	// Escalated records that escalation level Event.Level (and so every
	// lower level) was reached, by the timer or by request (Event.Cause).
	Escalated EventKind = "escalated"
	// RemediationAgreed records the resolution time Event.DueAt that a
	// support manager agreed; it becomes the remediation target. A later
	// agreement replaces an earlier one.
	RemediationAgreed EventKind = "remediation_agreed"
	// ScopeChanged sets Event.Scope; outside ScopeProduct escalation
	// targets are cancelled, response and update targets still apply.
	ScopeChanged EventKind = "scope_changed"
	// Resolved and Reopened: see Plan for what they do to each target.
	Resolved EventKind = "resolved"
	Reopened EventKind = "reopened"
)

// Scope says whether an incident is a product problem (SPEC §2); only
// product problems escalate.
type Scope string

// The scopes an engineer may set.
const (
	ScopeProduct     Scope = "product"
	ScopeEnvironment Scope = "environment"
	ScopeUnsupported Scope = "unsupported"
)

// Event is one fact on an incident's timeline. Only the fields its Kind
// names are read.
type Event struct {
	Kind EventKind
	// At is when it happened. Events are applied in At order (ties keep
	// their order in the list); an event before the incident's acceptance
	// counts as happening at acceptance.
	At       time.Time
	Severity int       // SeverityChanged: the new severity, 1–4
	Level    int       // Escalated: the level reached, 1 or 2
	DueAt    time.Time // RemediationAgreed: the agreed resolution time
	Scope    Scope     // ScopeChanged: the new scope
	// Cause is what made an Escalated event: CauseDeadline or
	// CauseRequest; when empty, CauseDeadline if the level's due time is
	// the event's instant, else CauseRequest. The levels below Event.Level
	// are reached with CauseHigherLevel.
	Cause Cause
}

// Incident is what the planner needs to know about an incident.
type Incident struct {
	Tier Tier
	// Severity is the severity at AcceptedAt; later changes are events.
	Severity   int
	AcceptedAt time.Time
	Events     []Event
}

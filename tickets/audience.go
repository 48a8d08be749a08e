package tickets

import (
	"sort"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/sla"
)

// Audience is who may read a piece of incident content (SPEC §1). Staff read everything; a
// customer reads only what is meant for the customer, in every channel (API, web page, e-mail,
// webhook, export).
type Audience string

// The audiences.
const (
	// AudienceCustomer: the incident's organisation (and staff).
	AudienceCustomer Audience = "customer"
	// AudienceStaff: the vendor's staff only.
	AudienceStaff Audience = "staff"
)

// Reads reports whether a reader of audience a may read content meant for audience content.
func (a Audience) Reads(content Audience) bool {
	return a == AudienceStaff || content == AudienceCustomer
}

// ReaderAudience is the audience a user reads as: customers (member, org_admin) as the
// customer, everyone else as staff. An unknown role reads as the customer, the narrower view.
func ReaderAudience(u accounts.User) Audience {
	if u.Role.Staff() {
		return AudienceStaff
	}
	return AudienceCustomer
}

// The timeline entry kinds the engine writes. Every producer uses one of these; a kind missing
// from the table below reads as staff-only, and TestEveryProducedKindHasAnAudience fails.
const (
	KindOpened              = "opened"
	KindAcknowledged        = string(sla.Acknowledged)
	KindPublicUpdate        = string(sla.PublicUpdate)
	KindCustomerReply       = "customer_reply"
	KindInternalNote        = "internal_note"
	KindAssigned            = "assigned"
	KindWaitStarted         = string(sla.WaitStarted)
	KindWaitEnded           = string(sla.WaitEnded)
	KindResolved            = string(sla.Resolved)
	KindReopened            = string(sla.Reopened)
	KindSeverityChanged     = string(sla.SeverityChanged)
	KindScopeChanged        = string(sla.ScopeChanged)
	KindEscalationRequested = "escalation_requested"
	KindEscalated           = string(sla.Escalated)
	KindRemediationAgreed   = string(sla.RemediationAgreed)
	KindReclassRequested    = "reclassification_requested"
	KindReclassApproved     = "reclassification_approved"
	KindReclassRejected     = "reclassification_rejected"
	KindSLAPlanned          = "sla_planned"
	KindSLABreached         = "sla_breached"
	KindSLAWarning          = "sla_warning"
	KindFollowUpOf          = "follow_up_of"
	KindFollowUpOpened      = "follow_up_opened"
	KindResolutionConfirmed = "resolution_confirmed"
)

// visibility is the audience of one kind and, for customer-visible kinds, the payload fields a
// customer reads: everything else in the entry's data is staff-only (an escalation tells the
// customer its level and cause, never the recipients, the timer or the planner's arithmetic).
type visibility struct {
	audience Audience
	fields   []string
}

// eventVisibility is the one table deciding who reads each kind of timeline entry (SPEC §1).
var eventVisibility = map[string]visibility{
	// The incident as opened, with how it was classified (a severity asked for by e-mail waits
	// for a call) and the grace warning the customer was shown.
	KindOpened: {AudienceCustomer, []string{"tier", "severity", "channel", "requested_severity", "reason", "in_grace", "grace_ends_at"}},
	// The acknowledgement message names the engineer and the severity itself.
	KindAcknowledged:  {AudienceCustomer, []string{"public", "message", "severity"}},
	KindPublicUpdate:  {AudienceCustomer, []string{"public", "body"}},
	KindCustomerReply: {AudienceCustomer, []string{"public", "body"}},
	KindInternalNote:  {AudienceStaff, nil},
	// Assignment and claim details (who, how long after acceptance, by claim or by hand).
	KindAssigned: {AudienceStaff, nil},
	// What a waiting request asks of the customer, and that the wait is over.
	KindWaitStarted: {AudienceCustomer, []string{"public", "reason", "message"}},
	KindWaitEnded:   {AudienceCustomer, []string{"reason"}},
	KindResolved:    {AudienceCustomer, []string{"public", "resolution"}},
	KindReopened:    {AudienceCustomer, []string{"public", "reason"}},
	// The customer's own confirmation that the resolution works, with what they added.
	KindResolutionConfirmed: {AudienceCustomer, []string{"public", "message"}},
	KindSeverityChanged:     {AudienceCustomer, []string{"public", "severity", "from", "reason"}},
	// Scope reasons ("customer-specific environment", "modified product") are staff's judgement.
	KindScopeChanged:        {AudienceStaff, nil},
	KindEscalationRequested: {AudienceCustomer, []string{"public", "level", "reason"}},
	// That it was escalated, to which level and why (deadline, request), not to whom.
	KindEscalated: {AudienceCustomer, []string{"level", "reason", "cause"}},
	// The manager's answer to the customer's formal request: the plan and the agreed time.
	KindRemediationAgreed: {AudienceCustomer, []string{"public", "plan", "due_at"}},
	KindReclassRequested:  {AudienceCustomer, []string{"public", "request_id", "reason"}},
	KindReclassApproved:   {AudienceCustomer, []string{"public", "request_id", "reason"}},
	KindReclassRejected:   {AudienceCustomer, []string{"public", "request_id", "reason"}},
	// A mail answering an incident resolved too long ago opens a new one; both say so, since the
	// customer wrote the mail and reads both incidents.
	KindFollowUpOf:     {AudienceCustomer, []string{"public", "incident_id", "reference"}},
	KindFollowUpOpened: {AudienceCustomer, []string{"public", "incident_id", "reference"}},
	// SLA explanations and re-plans, breach records: the customer reads the SLA status from the
	// incident's sla block instead.
	KindSLAPlanned:  {AudienceStaff, nil},
	KindSLABreached: {AudienceStaff, nil},
	// Which manager acknowledged an escalation, and when: the recipients are staff's business.
	KindEscalationAcknowledged: {AudienceStaff, nil},
	// A warning before a breach, and who was told: staff's own reminders (SPEC §1).
	KindSLAWarning: {AudienceStaff, nil},
}

// EventAudience returns who reads timeline entries of the kind. A kind without a decision is
// staff-only: new content stays internal until someone decides otherwise.
func EventAudience(kind string) Audience {
	if v, ok := eventVisibility[kind]; ok {
		return v.audience
	}
	return AudienceStaff
}

// EventKinds returns every kind with an audience decision, sorted.
func EventKinds() []string {
	out := make([]string, 0, len(eventVisibility))
	for k := range eventVisibility {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CustomerFields returns the payload fields a customer reads in entries of the kind (nil for a
// staff-only kind).
func CustomerFields(kind string) []string {
	v, ok := eventVisibility[kind]
	if !ok || v.audience != AudienceCustomer {
		return nil
	}
	return append([]string(nil), v.fields...)
}

// ForAudience returns the entries a reader of audience a may read, in order, each as that
// reader sees it: staff get the entries unchanged; a customer gets only customer-visible kinds,
// each with a copy of its data holding only the kind's customer fields. Every channel that shows
// incident content to a customer goes through here (timeline, exports, webhooks of a customer
// organisation, e-mail and web pages).
func ForAudience(events []Event, a Audience) []Event {
	if a == AudienceStaff {
		return events
	}
	out := make([]Event, 0, len(events))
	for _, e := range events {
		if ev, ok := ShowEvent(e, a); ok {
			out = append(out, ev)
		}
	}
	return out
}

// ShowEvent returns the entry as a reader of audience a sees it, and false when a may not see it
// at all. See ForAudience.
func ShowEvent(e Event, a Audience) (Event, bool) {
	v, ok := eventVisibility[e.Kind]
	if a == AudienceStaff {
		return e, true
	}
	if !ok || !a.Reads(v.audience) {
		return Event{}, false
	}
	data := make(map[string]any, len(v.fields))
	for _, f := range v.fields {
		if x, ok := e.Data[f]; ok {
			data[f] = x
		}
	}
	e.Data = data
	return e, true
}

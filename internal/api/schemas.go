package api

import (
	"reflect"
	"strings"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

// components names the wire type behind every schema of /openapi.json: the route table refers
// to these names, and the schemas are generated from the types (schemagen.go).
var components = []component{
	comp[errorWire]("Error"),
	comp[healthWire]("Health"),

	body[organizationRequest]("NewOrganization"),
	comp[organizationWire]("Organization"),
	comp[listPage[organizationWire]]("Organizations"),
	body[organizationPatch]("OrganizationPatch"),
	comp[organizationReply]("OrganizationSettings"),
	body[preferences]("NotificationPreferences"),
	comp[follower]("Follower"),
	comp[listPage[follower]]("Followers"),
	body[groupRequest]("NewGroup"),
	comp[groupWire]("Group"),
	comp[listPage[groupWire]]("Groups"),
	body[userRequest]("NewUser"),
	comp[userWire]("User"),
	comp[listPage[userWire]]("Users"),
	comp[deactivatedWire]("Deactivated"),
	body[passwordRequest]("Password"),
	body[tokenRequest]("NewToken"),
	comp[tokenWire]("Token"),

	body[tickets.NewIncident]("NewIncident"),
	comp[incidentWire]("Incident"),
	comp[incidentPage]("IncidentPage"),
	body[patchRequest]("IncidentPatch"),
	body[acknowledgeRequest]("Acknowledgement"),
	body[updateRequest]("Update"),
	body[assignRequest]("Assignment"),
	body[waitRequest]("Wait"),
	body[resolveRequest]("Resolution"),
	body[confirmRequest]("Confirmation"),
	body[reopenRequest]("Reopening"),
	body[escalationRequest]("EscalationRequest"),
	body[remediationRequest]("Remediation"),
	body[reasonRequest]("Reason"),
	comp[reclassificationWire]("ReclassificationResult"),
	body[claimRequest]("QueueFilter"),
	comp[queueWire]("Queue"),
	comp[timelineWire]("Timeline"),
	comp[escalationWire]("Escalation"),
	comp[listPage[escalationWire]]("Escalations"),

	body[entitlementRequest]("NewEntitlement"),
	comp[entitlementWire]("Entitlement"),
	comp[entitlementReport]("EntitlementReport"),
	body[renewalRequest]("Renewal"),
	body[coTermRequest]("CoTerm"),
	comp[coTermWire]("CoTermResult"),
	body[extensionRequest]("Extension"),
	comp[listPage[rejectionReply]]("Rejections"),
	comp[creditsWire]("Credits"),
	comp[slaReportWire]("SLAReport"),

	comp[listPage[notificationWire]]("Notifications"),
	body[webhookRequest]("NewWebhook"),
	comp[webhookWire]("Webhook"),
	comp[listPage[webhookWire]]("Webhooks"),

	comp[catalog.Cell]("Cell"),
	body[policyRequest]("PolicyCells"),
	comp[policyWire]("Policy"),
	comp[itemsOnly[policyWire]]("Policies"),
	comp[catalog.Calendar]("Calendar"),
	comp[itemsOnly[catalog.Calendar]]("Calendars"),
	comp[catalog.Target]("SLATarget"),
	body[previewRequest]("PreviewRequest"),
	comp[previewWire]("Preview"),
	body[replayRequest]("ReplayRequest"),
	comp[replayWire]("Replay"),

	body[mailboxInputWire]("MailboxInput"),
	comp[mailboxWire]("Mailbox"),
	comp[listPage[mailboxWire]]("Mailboxes"),
	comp[inboundWire]("InboundMessage"),
	comp[listPage[inboundWire]]("InboundMessages"),
	comp[listPage[undeliverableWire]]("Undeliverable"),
	comp[attachmentWire]("Attachment"),
	comp[listPage[attachmentWire]]("Attachments"),
}

// enums are the values of the domain's string types.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[tickets.Status]():          {"new", "in_progress", "waiting_on_customer", "resolved"},
	reflect.TypeFor[tickets.Channel]():         {"web", "email", "phone", "api"},
	reflect.TypeFor[tickets.Scope]():           {"product", "environment", "unsupported"},
	reflect.TypeFor[accounts.Role]():           {"member", "org_admin", "engineer", "support_manager", "executive", "admin"},
	reflect.TypeFor[accounts.Visibility]():     {"organization", "own"},
	reflect.TypeFor[sla.Tier]():                {"standard", "premium", "platinum"},
	reflect.TypeFor[sla.Target]():              {"first_response", "update_cadence", "support_manager", "executive", "remediation"},
	reflect.TypeFor[sla.State]():               {"pending", "paused", "met", "breached", "escalated", "cancelled"},
	reflect.TypeFor[sla.Cause]():               {"deadline", "request", "higher_level"},
	reflect.TypeFor[entitlement.LicenseType](): {"subscription", "perpetual"},
	reflect.TypeFor[entitlement.State]():       {"active", "grace", "expired", "not_started"},
	reflect.TypeFor[entitlement.GraceIntake](): {"accept", "reject", ""},
}

// typeSchemas describe the types that encode themselves.
var typeSchemas = map[reflect.Type]map[string]any{
	reflect.TypeFor[catalog.Duration](): {"description": "a Go duration (\"1h\", \"2s\"); requests may give seconds as a number instead"},
	reflect.TypeFor[sla.Step]():         {"type": "object", "description": "one step of the explanation as data"},
}

// fieldNotes add to the fields of domain types that are decoded or encoded as they are.
var fieldNotes = map[reflect.Type]map[string]note{
	reflect.TypeFor[tickets.NewIncident](): {
		"product": {required: true}, "title": {required: true},
		"channel":         {doc: "customers: web (default) or api; staff also record phone and email intake on a customer's behalf"},
		"organization_id": {doc: "staff opening on a customer's behalf"},
	},
	reflect.TypeFor[catalog.Cell](): {
		"severity": {required: true}, "target": {required: true, enum: "first_response|update_cadence|support_manager|executive"},
		"kind":     {enum: "duration|business_days|none|on_request", doc: "output only"},
		"warnings": {doc: "warning points as fractions of the target, increasing, at most 4, in thousandths; absent: 0.75 for first_response and update_cadence, none for escalations; [] for none"},
	},
	reflect.TypeFor[catalog.Calendar](): {"national_holidays": {enum: "|jp"}, "holidays": {format: "date"},
		"business_day": {doc: "output: one business day's length"}},
	reflect.TypeFor[catalog.Target](): {
		"cause":     {doc: "what reached an escalated level (escalation targets are escalated, never breached)"},
		"remaining": {doc: "time left on a paused clock"},
		"warnings":  {doc: "staff only, with the explanation: the warning points still ahead on a pending target and when each is reached"},
		"explanation": {doc: "how the deadline was reached: policy cell, clock, each segment counted, each closure skipped, each pause. " +
			"Present on a single incident read by staff (GET /v1/incidents/{id}, the answers of actions, intake and claim) and on POST /v1/sla/preview; " +
			"left out of lists (GET /v1/incidents, GET /v1/queue) and of every answer to a customer (SLA explanations are staff-only)"},
		"steps": {doc: "the explanation as data; POST /v1/sla/preview only"},
	},
	reflect.TypeFor[replayRequest]():  {"from": {required: true}, "to": {required: true}},
	reflect.TypeFor[webhookRequest](): {"events": {enum: strings.Join(escalation.Kinds, "|"), doc: "none: every kind an organisation's webhook may receive"}},
}

// schemas are the component schemas of /openapi.json, generated once.
var schemas = func() map[string]any {
	s := buildSchemas(components)
	// An error may carry details beside its code and message.
	s["Error"].(map[string]any)["properties"].(map[string]any)["error"].(map[string]any)["additionalProperties"] = true
	return s
}()

// errorWire is the error envelope every failure answers with.
type errorWire struct {
	Error errorDetail `json:"error"`
}

// errorDetail is the inside of the envelope; an error may add details beside these fields.
type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty" doc:"the request field or parameter at fault"`
	RequestID string `json:"request_id,omitempty" doc:"on 5xx answers: quote it to support"`
}

// Helpers to keep the hand-made parts of the document (parameters, uploads) readable.
func str() map[string]any               { return map[string]any{"type": "string"} }
func strf(format string) map[string]any { return map[string]any{"type": "string", "format": format} }
func nullable(t map[string]any) map[string]any {
	return map[string]any{"anyOf": []any{t, map[string]any{"type": "null"}}}
}
func enum(vals ...string) map[string]any { return map[string]any{"type": "string", "enum": vals} }
func arr(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}

package api

// Helpers to keep the schema table readable.
func obj(required []string, props map[string]any) map[string]any {
	m := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}

func str() map[string]any               { return map[string]any{"type": "string"} }
func strf(format string) map[string]any { return map[string]any{"type": "string", "format": format} }
func nullable(t map[string]any) map[string]any {
	return map[string]any{"anyOf": []any{t, map[string]any{"type": "null"}}}
}
func enum(vals ...string) map[string]any { return map[string]any{"type": "string", "enum": vals} }
func integer(min, max int) map[string]any {
	return map[string]any{"type": "integer", "minimum": min, "maximum": max}
}
func withDesc(t map[string]any, d string) map[string]any { t["description"] = d; return t }
func arr(items map[string]any) map[string]any            { return map[string]any{"type": "array", "items": items} }

var (
	tierEnum       = enum("standard", "premium", "platinum")
	visibilityEnum = enum("organization", "own")
)

// schemas are the JSON shapes of SPEC §5, by name.
var schemas = map[string]any{
	"Error": obj([]string{"error"}, map[string]any{"error": obj([]string{"code", "message"}, map[string]any{
		"code": str(), "message": str(), "field": str(), "request_id": str()})}),
	"Health": obj([]string{"status"}, map[string]any{"status": str(), "checks": map[string]any{"type": "object"}}),
	"NewOrganization": obj([]string{"name"}, map[string]any{"name": str(), "office": str(),
		"tier": tierEnum, "tsam_id": nullable(strf("uuid"))}),
	"Organization": obj(nil, map[string]any{"id": strf("uuid"), "name": str(), "office": str(), "tier": tierEnum,
		"tsam_id": nullable(strf("uuid")), "incident_visibility": visibilityEnum, "created_at": strf("date-time"), "updated_at": strf("date-time")}),
	"Organizations": obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(ref("Organization"))}),
	"OrganizationPatch": obj(nil, map[string]any{"incident_visibility": visibilityEnum, "tsam_id": nullable(strf("uuid")), "notify_groups": map[string]any{"type": "boolean"},
		"language": enum("ja", "en", "")}),
	"OrganizationSettings": obj(nil, map[string]any{"id": strf("uuid"), "name": str(), "office": str(), "tier": tierEnum,
		"tsam_id": nullable(strf("uuid")), "incident_visibility": visibilityEnum, "notify_groups": map[string]any{"type": "boolean"},
		"language": enum("ja", "en", ""), "created_at": strf("date-time"), "updated_at": strf("date-time")}),
	"NotificationPreferences": obj(nil, map[string]any{"email_notifications": map[string]any{"type": "boolean"}, "language": enum("ja", "en", "")}),
	"Follower":                obj(nil, map[string]any{"user_id": strf("uuid"), "name": str(), "email": str(), "added_by": strf("uuid"), "added_at": strf("date-time")}),
	"Followers":               obj([]string{"items"}, map[string]any{"items": arr(ref("Follower"))}),
	"NewGroup":                obj([]string{"name"}, map[string]any{"name": str(), "description": str(), "organization_id": strf("uuid")}),
	"Group": obj(nil, map[string]any{"id": strf("uuid"), "organization_id": strf("uuid"), "name": str(), "description": str(),
		"members":    arr(obj(nil, map[string]any{"user_id": strf("uuid"), "name": str(), "email": str(), "added_at": strf("date-time")})),
		"created_at": strf("date-time")}),
	"Groups": obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(ref("Group"))}),
	"NewUser": obj([]string{"email", "name", "role"}, map[string]any{"email": strf("email"), "name": str(),
		"role":   enum("member", "org_admin", "engineer", "support_manager", "executive", "admin"),
		"senior": map[string]any{"type": "boolean"}, "organization_id": nullable(strf("uuid")), "office": str()}),
	"User": obj(nil, map[string]any{"id": strf("uuid"), "email": str(), "name": str(), "role": str(),
		"senior": map[string]any{"type": "boolean"}, "organization_id": nullable(strf("uuid")), "office": str(),
		"locale": enum("", "ja", "en"), "time_zone": str(), "deactivated_at": nullable(strf("date-time")),
		"created_at": strf("date-time"), "updated_at": strf("date-time")}),
	"Password": obj([]string{"password"}, map[string]any{"password": map[string]any{"type": "string", "minLength": 10, "maxLength": 200},
		"current_password": str()}),
	"NewToken": obj(nil, map[string]any{"label": str()}),
	"Token":    obj([]string{"token"}, map[string]any{"token": str(), "user_id": strf("uuid")}),
	"NewIncident": obj([]string{"product", "title"}, map[string]any{"product": str(), "title": str(),
		"description": str(), "severity": integer(1, 4),
		"channel":         withDesc(enum("web", "email", "phone", "api"), "customers: web (default) or api; staff also record phone and email intake on a customer's behalf"),
		"organization_id": strf("uuid"), "serial_number": str(), "activation_code": str(), "registration_key": str()}),
	"Incident": obj(nil, map[string]any{"id": strf("uuid"), "reference": str(), "organization_id": strf("uuid"),
		"product": str(), "title": str(), "description": str(), "tier": tierEnum, "severity": integer(1, 4),
		"requested_severity": nullable(integer(1, 4)), "severity_confirmation_required": map[string]any{"type": "boolean"},
		"status": enum("new", "in_progress", "waiting_on_customer", "resolved"), "channel": str(),
		"scope": enum("product", "environment", "unsupported"), "assignee_id": nullable(strf("uuid")),
		"escalation_level": integer(0, 2), "opened_by": strf("uuid"), "accepted_at": strf("date-time"),
		"created_at": strf("date-time"), "updated_at": strf("date-time"), "policy_version": map[string]any{"type": "integer"},
		"sla": obj(nil, map[string]any{"policy_version": map[string]any{"type": "integer"}, "targets": arr(ref("SLATarget"))})}),
	"NewEntitlement": obj([]string{"product", "tier", "starts_at", "ends_at"}, map[string]any{"product": str(), "tier": tierEnum,
		"license_type": enum("subscription", "perpetual"), "maintenance": map[string]any{"type": "boolean"},
		"starts_at": strf("date-time"), "ends_at": strf("date-time"), "seats": map[string]any{"type": "integer", "minimum": 0},
		"serial_number": str(), "activation_code": str(), "registration_key": str(), "renewal_id": str(),
		"grace_policy":        obj(nil, map[string]any{"days": map[string]any{"type": "integer"}, "intake": enum("accept", "reject")}),
		"renewal_window_days": map[string]any{"type": "integer"}, "reinstatement_fee": map[string]any{"type": "boolean"},
		"credit_rates": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "number"}}}),
	"Entitlement": obj(nil, map[string]any{"id": strf("uuid"), "organization_id": strf("uuid"), "product": str(), "tier": tierEnum,
		"license_type": str(), "maintenance": map[string]any{"type": "boolean"}, "starts_at": strf("date-time"), "ends_at": strf("date-time"),
		"state": enum("active", "grace", "expired", "not_started"), "days_left": map[string]any{"type": "integer"},
		"serial_number": str(), "serial_aliases": arr(str()), "grace_ends_at": strf("date-time"), "extended_until": nullable(strf("date-time")),
		"renewal": obj(nil, map[string]any{"renewable": map[string]any{"type": "boolean"}, "renewable_until": nullable(strf("date-time")),
			"reinstatement_fee": map[string]any{"type": "boolean"}, "new_purchase_required": map[string]any{"type": "boolean"}})}),
	"EntitlementReport": obj([]string{"items"}, map[string]any{"next_cursor": str(), "organization_id": strf("uuid"), "items": arr(ref("Entitlement"))}),
	"Renewal":           obj([]string{"starts_at", "ends_at"}, map[string]any{"starts_at": strf("date-time"), "ends_at": strf("date-time"), "serial_number": str()}),
	"Extension":         obj([]string{"until", "reason"}, map[string]any{"until": strf("date-time"), "reason": str()}),
	"Rejections": obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(obj(nil, map[string]any{"id": strf("uuid"), "organization_id": strf("uuid"),
		"user_id": strf("uuid"), "entitlement_id": nullable(strf("uuid")), "product": str(), "code": str(), "message": str(),
		"details":             map[string]any{"type": "object"},
		"request_body":        map[string]any{"description": "the body as sent, when it is JSON in UTF-8; otherwise a string with invalid bytes replaced"},
		"request_body_base64": withDesc(str(), "the exact bytes of the body, whatever they are"), "created_at": strf("date-time")}))}),
	"Notifications": obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(obj(nil, map[string]any{"id": strf("uuid"), "kind": str(),
		"incident_id": nullable(strf("uuid")), "subject": str(), "body": str(), "data": map[string]any{"type": "object"},
		"created_at": strf("date-time"), "read_at": nullable(strf("date-time"))}))}),
	"Cell": obj([]string{"severity", "target"}, map[string]any{"severity": integer(1, 4),
		"target": enum("first_response", "update_cadence", "support_manager", "executive"),
		"kind":   enum("duration", "business_days", "none", "on_request"), "duration": map[string]any{"description": "Go duration (\"1h\", \"2s\") or seconds"},
		"seconds": map[string]any{"type": "number"}, "business_days": map[string]any{"type": "integer"}, "clock": str(),
		"on_request": map[string]any{"type": "boolean"}, "none": map[string]any{"type": "boolean"}}),
	"PolicyCells": obj([]string{"cells"}, map[string]any{"cells": arr(ref("Cell"))}),
	"Policy":      obj(nil, map[string]any{"tier": tierEnum, "version": map[string]any{"type": "integer"}, "cells": arr(ref("Cell")), "created_at": strf("date-time")}),
	"Policies":    obj([]string{"items"}, map[string]any{"items": arr(ref("Policy"))}),
	"Calendar": obj(nil, map[string]any{"name": str(), "version": map[string]any{"type": "integer"}, "time_zone": str(),
		"weekly":            map[string]any{"type": "object", "additionalProperties": arr(obj(nil, map[string]any{"open": str(), "close": str()}))},
		"national_holidays": enum("", "jp"), "holidays": arr(strf("date")), "annual_closures": arr(obj(nil, map[string]any{"from": str(), "to": str()})),
		"business_day": str()}),
	"Calendars": obj([]string{"items"}, map[string]any{"items": arr(ref("Calendar"))}),
	"SLATarget": obj(nil, map[string]any{"target": str(), "level": map[string]any{"type": "integer"}, "due_at": nullable(strf("date-time")),
		"state": enum("pending", "paused", "met", "breached", "escalated", "cancelled"), "met_at": nullable(strf("date-time")),
		"breached_at":  nullable(strf("date-time")),
		"escalated_at": nullable(strf("date-time")),
		"cause":        map[string]any{"type": "string", "enum": []string{"deadline", "request", "higher_level"}, "description": "what reached an escalated level (escalation targets are escalated, never breached)"},
		"clock":        str(), "remaining": str(),
		"explanation": map[string]any{"type": "array", "items": str(), "description": "how the deadline was reached: policy cell, clock, each segment counted, each closure skipped, each pause. " +
			"Present on a single incident read by staff (GET /v1/incidents/{id}, the answers of actions, intake and claim) and on POST /v1/sla/preview; " +
			"left out of lists (GET /v1/incidents, GET /v1/queue) and of every answer to a customer (SLA explanations are staff-only)"},
		"steps": map[string]any{"type": "array", "items": map[string]any{"type": "object"}, "description": "the explanation as data; POST /v1/sla/preview only"}}),
	"PreviewRequest": obj([]string{"tier", "severity", "accepted_at"}, map[string]any{"tier": tierEnum, "severity": integer(1, 4),
		"accepted_at": strf("date-time"), "now": strf("date-time"),
		"events": arr(obj([]string{"kind", "at"}, map[string]any{"kind": str(), "at": strf("date-time"), "severity": integer(1, 4), "level": integer(1, 2), "due_at": strf("date-time"), "scope": str(),
			"cause": enum("deadline", "request")})),
		"policy":   map[string]any{"description": "a policy version number, or {\"cells\": [...]} merged onto the current policy"},
		"calendar": map[string]any{"description": "a calendar name, or a calendar object, for every business clock"}}),
	"Preview": obj(nil, map[string]any{"tier": tierEnum, "severity": integer(1, 4), "accepted_at": strf("date-time"),
		"policy_version": map[string]any{"type": "integer"}, "draft": map[string]any{"type": "boolean"}, "targets": arr(ref("SLATarget"))}),
	"Acknowledgement": obj(nil, map[string]any{"message": withDesc(str(), "added to the first-response text, which states the severity and the engineer")}),
	"Update": obj(nil, map[string]any{"body": withDesc(str(), "the update (required; message is accepted instead)"), "message": withDesc(str(), "the same as body"),
		"public": map[string]any{"type": "boolean", "default": true, "description": "false: an internal note (staff only)"}}),
	"Assignment": obj(nil, map[string]any{"assignee_id": withDesc(strf("uuid"), "the engineer or support manager (default: the caller)")}),
	"Wait": obj(nil, map[string]any{"message": withDesc(str(), "what the waiting request asks of the customer; customer-visible on the timeline"),
		"reason": withDesc(str(), "the same as message, for older clients")}),
	"Resolution":   obj(nil, map[string]any{"resolution": withDesc(str(), "how it was resolved; customer-visible"), "message": withDesc(str(), "the same as resolution")}),
	"Confirmation": obj(nil, map[string]any{"message": withDesc(str(), "optional; customer-visible")}),
	"Reopening":    obj(nil, map[string]any{"reason": withDesc(str(), "why it is reopened; customer-visible"), "message": withDesc(str(), "the same as reason")}),
	"IncidentPatch": obj([]string{"reason"}, map[string]any{"severity": integer(1, 4), "scope": enum("product", "environment", "unsupported"),
		"reason": withDesc(str(), "why: required with every severity or scope change")}),
	"Escalation": obj(nil, map[string]any{"id": strf("uuid"), "incident_id": strf("uuid"), "reference": str(), "title": str(), "tier": tierEnum,
		"severity": integer(1, 4), "level": integer(1, 2), "reason": str(), "created_at": strf("date-time"), "acknowledged_at": nullable(strf("date-time"))}),
	"Escalations": obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(ref("Escalation"))}),
	"NewWebhook": obj([]string{"url"}, map[string]any{"name": str(), "url": strf("uri"), "secret": str(), "organization_id": nullable(strf("uuid")),
		"events": arr(enum("incident_opened", "escalation", "breach", "renewal_reminder"))}),
	"Webhook": obj(nil, map[string]any{"id": strf("uuid"), "name": str(), "url": str(), "events": arr(str()), "organization_id": nullable(strf("uuid")),
		"active": map[string]any{"type": "boolean"}, "secret": str(), "encrypted_at_rest": map[string]any{"type": "boolean"}, "created_at": strf("date-time")}),
	"Webhooks": obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(ref("Webhook"))}),
	"Credits": obj([]string{"items"}, map[string]any{"next_cursor": str(), "organization_id": strf("uuid"), "from": strf("date-time"), "to": strf("date-time"),
		"total": map[string]any{"type": "number"}, "items": arr(obj(nil, map[string]any{"id": strf("uuid"), "incident_id": strf("uuid"),
			"reference": str(), "entitlement_id": strf("uuid"), "target": str(), "severity": integer(1, 4), "due_at": strf("date-time"),
			"met_at": nullable(strf("date-time")), "lateness_seconds": nullable(map[string]any{"type": "number"}),
			"amount": map[string]any{"type": "number"}, "created_at": strf("date-time")}))}),
	"SLAReport": obj(nil, map[string]any{"from": strf("date-time"), "to": strf("date-time"),
		"rows": arr(map[string]any{"type": "object"}), "time_to_assign": arr(map[string]any{"type": "object"})}),
	"EscalationRequest": obj(nil, map[string]any{"level": integer(1, 2), "reason": str()}),
	"Remediation":       obj([]string{"plan", "resolve_by"}, map[string]any{"plan": str(), "resolve_by": strf("date-time")}),
	"Reason":            obj([]string{"reason"}, map[string]any{"reason": str()}),
	"ReclassificationResult": obj(nil, map[string]any{"request": obj(nil, map[string]any{"id": strf("uuid"), "incident_id": strf("uuid"),
		"state": enum("pending", "approved", "rejected"), "reason": str(), "decision_reason": str()}), "incident": ref("Incident")}),
	"Users":       obj([]string{"items"}, map[string]any{"next_cursor": str(), "items": arr(ref("User"))}),
	"Deactivated": obj(nil, map[string]any{"user_id": strf("uuid"), "tokens_revoked": map[string]any{"type": "integer"}}),
	"QueueFilter": obj(nil, map[string]any{"mine": map[string]any{"type": "boolean"}, "unassigned": map[string]any{"type": "boolean"},
		"tier": tierEnum, "severity": integer(1, 4), "product": str(), "office": str(), "limit": integer(1, 200)}),
	"Queue": obj([]string{"items"}, map[string]any{"items": arr(map[string]any{"allOf": []any{ref("Incident"),
		obj(nil, map[string]any{"next_due_at": nullable(strf("date-time")), "next_target": nullable(str())})}})}),
	"IncidentPage": obj([]string{"items"}, map[string]any{"items": arr(ref("Incident")), "next_cursor": str()}),
	"Timeline": obj(nil, map[string]any{"next_cursor": str(), "incident_id": strf("uuid"), "events": arr(obj(nil, map[string]any{
		"id": map[string]any{"type": "integer"}, "kind": str(), "actor_id": nullable(strf("uuid")),
		"at": strf("date-time"), "data": map[string]any{"type": "object"}}))}),
}

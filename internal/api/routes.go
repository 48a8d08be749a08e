package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
)

// route is one endpoint: the whole API surface is the table in routes(), which registers the
// handlers and generates /openapi.json, so the two cannot drift apart.
type route struct {
	method  string
	path    string          // Fiber syntax, :id for parameters
	roles   []accounts.Role // nil: public
	summary string
	request string // component schema of the body, "" for none
	reply   string // component schema of the 2xx body
	status  int    // success status
	// also lists further success statuses answered with the same reply (a replay run in the
	// background is 202).
	also  []int
	query []string
	// upload marks a route whose body is multipart/form-data with one file in the field "file"
	// rather than JSON.
	upload  bool
	handler fiber.Handler
}

var (
	customers          = []accounts.Role{accounts.Member, accounts.OrgAdmin}
	staff              = []accounts.Role{accounts.Engineer, accounts.SupportManager, accounts.Executive, accounts.Admin}
	everyone           = append(append([]accounts.Role{}, customers...), staff...)
	admins             = []accounts.Role{accounts.Admin}
	userAdmins         = []accounts.Role{accounts.Admin, accounts.OrgAdmin}
	workers            = []accounts.Role{accounts.Engineer, accounts.SupportManager, accounts.Admin}
	updaters           = append(append([]accounts.Role{}, customers...), workers...)
	reopeners          = updaters
	claimers           = []accounts.Role{accounts.Engineer, accounts.SupportManager}
	userReaders        = append(append([]accounts.Role{}, staff...), accounts.OrgAdmin)
	creditReaders      = append(append([]accounts.Role{}, staff...), accounts.OrgAdmin)
	managers           = []accounts.Role{accounts.SupportManager, accounts.Admin}
	entitlementReaders = append(append([]accounts.Role{}, staff...), accounts.OrgAdmin)
	intakeRoles        = append(append([]accounts.Role{}, customers...), accounts.Engineer, accounts.SupportManager, accounts.Admin)
	groupReaders       = []accounts.Role{accounts.Admin, accounts.OrgAdmin, accounts.Member}
)

func (s *Server) routes() []route {
	return []route{
		{method: "GET", path: "/healthz", summary: "Liveness: the process serves HTTP", reply: "Health", status: 200, handler: s.healthz},
		{method: "GET", path: "/readyz", summary: "Readiness: PostgreSQL and Redis reachable", reply: "Health", status: 200, handler: s.readyz},
		{method: "GET", path: "/metrics", summary: "Prometheus metrics", reply: "", status: 200, handler: s.metrics},
		{method: "GET", path: "/openapi.json", summary: "This document", reply: "", status: 200, handler: s.openapi},

		{method: "GET", path: "/v1/me", roles: everyone, summary: "The authenticated user", reply: "User", status: 200, handler: s.me},
		{method: "GET", path: "/v1/me/notifications", roles: everyone, summary: "The caller's notification preferences (e-mail on or off, language)", reply: "NotificationPreferences", status: 200, handler: s.myPreferences},
		{method: "PATCH", path: "/v1/me", roles: everyone, summary: "Change the caller's notification preferences: email_notifications false stops e-mail (the in-app inbox stays), language ja or en (empty: the organisation's)", request: "NotificationPreferences", reply: "NotificationPreferences", status: 200, handler: s.patchMe},
		{method: "POST", path: "/v1/organizations", roles: admins, summary: "Create a customer organisation", request: "NewOrganization", reply: "Organization", status: 201, handler: s.createOrganization},
		{method: "GET", path: "/v1/organizations", roles: everyone, summary: "Organisations, oldest first (staff: all; customers: their own)", reply: "Organizations", status: 200,
			query: []string{"cursor", "limit"}, handler: s.listOrganizations},
		{method: "GET", path: "/v1/staff", roles: staff, summary: "Vendor staff, oldest first, of a role and/or office", reply: "Users", status: 200,
			query: []string{"role", "office", "cursor", "limit"}, handler: s.listStaff},
		{method: "GET", path: "/v1/organizations/:id", roles: everyone, summary: "An organisation (customers: their own)", reply: "Organization", status: 200, handler: s.getOrganization},
		{method: "PATCH", path: "/v1/organizations/:id", roles: userAdmins, summary: "Change an organisation's incident_visibility: organization (members see all its incidents) or own (members see their own and their group co-members'); notify_groups: members of the opener's groups are told of the opener's incidents; language: ja or en, its users' default (org admins: their own); admins also its tsam_id (a support manager or executive)", request: "OrganizationPatch", reply: "OrganizationSettings", status: 200, handler: s.patchOrganization},
		{method: "POST", path: "/v1/users", roles: userAdmins, summary: "Create a user (org admins: users of their organisation)", request: "NewUser", reply: "User", status: 201, handler: s.createUser},
		{method: "GET", path: "/v1/organizations/:id/users", roles: userReaders, summary: "An organisation's users (org admins: their own)", reply: "Users", status: 200,
			query: []string{"cursor", "limit"}, handler: s.listOrganizationUsers},
		{method: "POST", path: "/v1/users/:id/deactivate", roles: userAdmins, summary: "Deactivate a user: no sign-in, every token and browser session revoked, none issued until reactivated (org admins: their organisation's users)", reply: "Deactivated", status: 200, handler: s.deactivateUser},
		{method: "POST", path: "/v1/users/:id/reactivate", roles: userAdmins, summary: "Reactivate a deactivated user; revoked tokens stay revoked, so they need a new one (org admins: their organisation's users)", reply: "User", status: 200, handler: s.reactivateUser},
		{method: "POST", path: "/v1/groups", roles: userAdmins, summary: "Create a group of customer users, e.g. an incident-response team whose members act on each other's incidents (org admins: in their organisation)", request: "NewGroup", reply: "Group", status: 201, handler: s.createGroup},
		{method: "GET", path: "/v1/groups", roles: groupReaders, summary: "Groups with their members (admins: all or one organisation's; org admins: their organisation's; members: their own)", reply: "Groups", status: 200,
			query: []string{"organization_id", "cursor", "limit"}, handler: s.listGroups},
		{method: "GET", path: "/v1/groups/:id", roles: groupReaders, summary: "A group with its members (404 when not visible)", reply: "Group", status: 200, handler: s.getGroup},
		{method: "DELETE", path: "/v1/groups/:id", roles: userAdmins, summary: "Delete a group and its memberships", status: 204, handler: s.deleteGroup},
		{method: "PUT", path: "/v1/groups/:id/members/:user_id", roles: userAdmins, summary: "Add a customer user of the group's organisation (idempotent)", reply: "Group", status: 200, handler: s.addGroupMember},
		{method: "DELETE", path: "/v1/groups/:id/members/:user_id", roles: userAdmins, summary: "Remove a user from the group (effective from their next request)", status: 204, handler: s.removeGroupMember},
		{method: "PUT", path: "/v1/users/:id/password", roles: everyone, summary: "Set a user's web sign-in password (argon2id; admins for anyone, org admins for their users, users for themselves with current_password); ends the user's browser sessions", request: "Password", status: 204, handler: s.setPassword},
		{method: "POST", path: "/v1/users/:id/tokens", roles: everyone, summary: "Issue a bearer token, shown once (admins; users for themselves; org admins for their users)", request: "NewToken", reply: "Token", status: 201, handler: s.createToken},

		{method: "POST", path: "/v1/organizations/:id/entitlements", roles: admins, summary: "Add a maintenance contract or subscription", request: "NewEntitlement", reply: "Entitlement", status: 201, handler: s.createEntitlement},
		{method: "GET", path: "/v1/organizations/:id/entitlements", roles: entitlementReaders, summary: "Entitlement report: each with start, end, state, days left, renewal facts (org admins: their own)", reply: "EntitlementReport", status: 200,
			query: []string{"cursor", "limit"}, handler: s.listEntitlements},
		{method: "POST", path: "/v1/entitlements/:id/renewals", roles: managers, summary: "Renew: a new period, possibly a new serial (the old one still finds it)", request: "Renewal", reply: "Entitlement", status: 201, handler: s.renewEntitlement},
		{method: "POST", path: "/v1/organizations/:id/entitlements/co-term", roles: managers, summary: "Co-term: renew contracts to one common end date (a co-termed period may be shorter than a year); answers each new period", request: "CoTerm", reply: "CoTermResult", status: 200, handler: s.coTermEntitlements},
		{method: "POST", path: "/v1/entitlements/:id/extensions", roles: managers, summary: "Temporary extension while a renewal is processed", request: "Extension", reply: "Entitlement", status: 201, handler: s.extendEntitlement},
		{method: "GET", path: "/v1/intake-rejections", roles: staff, summary: "Refused intakes with the request body: renewal leads", reply: "Rejections", status: 200,
			query: []string{"organization_id", "code", "since", "cursor", "limit"}, handler: s.listRejections},

		{method: "GET", path: "/v1/policies", roles: everyone, summary: "The current policy of each tier, with its version", reply: "Policies", status: 200, handler: s.listPolicies},
		{method: "PUT", path: "/v1/policies/:tier", roles: admins, summary: "New version of a tier's policy; cells not given keep their value", request: "PolicyCells", reply: "Policy", status: 200, handler: s.putPolicy},
		{method: "GET", path: "/v1/calendars", roles: everyone, summary: "The current version of every business calendar", reply: "Calendars", status: 200, handler: s.listCalendars},
		{method: "PUT", path: "/v1/calendars/:name", roles: admins, summary: "New version of a calendar", request: "Calendar", reply: "Calendar", status: 200, handler: s.putCalendar},
		{method: "POST", path: "/v1/sla/replay", roles: managers, summary: "What-if replay: plan the incidents accepted in [from, to) again under a draft policy, version or calendar and compare with what happened; writes nothing to incidents or timers. Up to 5,000 incidents answer at once (200), more (or background: true) run as a job (202, poll Location)", request: "ReplayRequest", reply: "Replay", status: 200, also: []int{202}, handler: s.startReplay},
		{method: "GET", path: "/v1/sla/replays/:id", roles: managers, summary: "A replay: progress while running, the comparison once done (CSV with format=csv; part=changes for the changed incidents)", reply: "Replay", status: 200,
			query: []string{"format", "part"}, handler: s.getReplay},
		{method: "POST", path: "/v1/sla/preview", roles: everyone, summary: "Every deadline of a hypothetical incident with its explanation; creates nothing", request: "PreviewRequest", reply: "Preview", status: 200, handler: s.previewSLA},

		{method: "POST", path: "/v1/webhooks", roles: userAdmins, summary: "Subscribe a public endpoint to notifications, signed with HMAC-SHA256 (a generated secret is shown once); admins: global (staff content) or an organisation's; org admins: their organisation's customer-visible notifications", request: "NewWebhook", reply: "Webhook", status: 201, handler: s.createWebhook},
		{method: "GET", path: "/v1/webhooks", roles: userAdmins, summary: "Webhook subscriptions, secrets never shown (org admins: their organisation's)", reply: "Webhooks", status: 200,
			query: []string{"cursor", "limit"}, handler: s.listWebhooks},
		{method: "DELETE", path: "/v1/webhooks/:id", roles: userAdmins, summary: "Deactivate a webhook subscription (org admins: their organisation's)", status: 204, handler: s.deleteWebhook},
		{method: "GET", path: "/v1/credits", roles: creditReaders, summary: "SLA-credit ledger of an organisation for a period (org admins: their own)", reply: "Credits", status: 200,
			query: []string{"organization_id", "from", "to", "cursor", "limit"}, handler: s.listCredits},
		{method: "GET", path: "/v1/reports/sla", roles: staff, summary: "Met/breached per tier and severity, time to first response, escalations, time to assign per channel (JSON, or CSV with format=csv)", reply: "SLAReport", status: 200,
			query: []string{"from", "to", "format"}, handler: s.slaReport},
		{method: "GET", path: "/v1/notifications", roles: everyone, summary: "The caller's in-app notifications, newest first", reply: "Notifications", status: 200,
			query: []string{"unread", "cursor", "limit"}, handler: s.listNotifications},
		{method: "POST", path: "/v1/notifications/:id/read", roles: everyone, summary: "Mark one of the caller's notifications read", status: 204, handler: s.readNotification},

		{method: "POST", path: "/v1/incidents", roles: intakeRoles, summary: "Open an incident (honours Idempotency-Key)", request: "NewIncident", reply: "Incident", status: 201, handler: s.openIncident},
		{method: "GET", path: "/v1/incidents", roles: everyone, summary: "List incidents visible to the caller, newest first; q matches a reference or title/description text, mine=true only the caller's own, due_within=2h only open incidents whose next pending deadline falls due within the window (overdue included)", reply: "IncidentPage", status: 200,
			query: []string{"status", "severity", "tier", "product", "organization_id", "q", "mine", "due_within", "cursor", "limit"}, handler: s.listIncidents},
		{method: "GET", path: "/v1/incidents/by-reference/:ref", roles: everyone, summary: "One incident by its reference, case-insensitive (404 when not visible)", reply: "Incident", status: 200, handler: s.incidentByReference},
		{method: "GET", path: "/v1/incidents/:id", roles: everyone, summary: "One incident (404 when not visible)", reply: "Incident", status: 200, handler: s.getIncident},
		{method: "PATCH", path: "/v1/incidents/:id", roles: workers, summary: "Change severity and/or scope (with a reason); re-plans open targets", request: "IncidentPatch", reply: "Incident", status: 200, handler: s.patchIncident},
		{method: "POST", path: "/v1/incidents/:id/acknowledge", roles: workers, summary: "First response: a customer-visible message with severity and engineer (needs an assignee)", request: "Acknowledgement", reply: "Incident", status: 200, handler: s.acknowledge()},
		{method: "POST", path: "/v1/incidents/:id/updates", roles: updaters, summary: "Status update (public restarts the cadence) or internal note; a customer's update is a reply that ends waiting", request: "Update", reply: "Incident", status: 200, handler: s.postUpdate()},
		{method: "POST", path: "/v1/incidents/:id/assign", roles: workers, summary: "Assign an engineer (engineers: themselves)", request: "Assignment", reply: "Incident", status: 200, handler: s.assign()},
		{method: "POST", path: "/v1/incidents/:id/wait", roles: workers, summary: "Wait on the customer: pauses the update cadence and escalation clocks", request: "Wait", reply: "Incident", status: 200, handler: s.wait()},
		{method: "POST", path: "/v1/incidents/:id/resolve", roles: workers, summary: "Resolve: open targets are met, escalations stop", request: "Resolution", reply: "Incident", status: 200, handler: s.resolve()},
		{method: "POST", path: "/v1/incidents/:id/confirm", roles: customers, summary: "Confirm a resolution (customers who may act on the incident): it stays resolved, records resolution_confirmed_at, and the customer's reopen and mail replies no longer reopen it (staff still may)", request: "Confirmation", reply: "Incident", status: 200, handler: s.confirmResolution()},
		{method: "POST", path: "/v1/incidents/:id/reopen", roles: reopeners, summary: "Reopen: clocks resume with the time they had left", request: "Reopening", reply: "Incident", status: 200, handler: s.reopen()},
		{method: "POST", path: "/v1/incidents/:id/escalation-requests", roles: updaters, summary: "Request escalation where the policy says on request, or (premium/platinum severity 2) to the support manager from 72 h", request: "EscalationRequest", reply: "Incident", status: 201, handler: s.requestEscalation},
		{method: "POST", path: "/v1/incidents/:id/remediation", roles: managers, summary: "Answer a formal escalation request with a remediation plan and an agreed resolution time (tracked as the remediation target)", request: "Remediation", reply: "Incident", status: 200, handler: s.agreeRemediation},
		{method: "POST", path: "/v1/incidents/:id/reclassification-requests", roles: updaters, summary: "Request severity 3 → 2 (granted automatically after 30 days unresolved)", request: "Reason", reply: "ReclassificationResult", status: 201, handler: s.requestReclassification},
		{method: "POST", path: "/v1/reclassification-requests/:id/approve", roles: managers, summary: "Approve a reclassification request (re-plans at severity 2)", request: "Reason", reply: "ReclassificationResult", status: 200, handler: s.decideReclassification(true)},
		{method: "POST", path: "/v1/reclassification-requests/:id/reject", roles: managers, summary: "Reject a reclassification request, with the reason", request: "Reason", reply: "ReclassificationResult", status: 200, handler: s.decideReclassification(false)},
		{method: "GET", path: "/v1/queue", roles: workers, summary: "Open incidents by urgency: premium/platinum first, then severity, then the nearest open deadline; due_within=2h keeps the incidents at risk (next deadline within the window, overdue included), across the office", reply: "Queue", status: 200,
			query: []string{"mine", "unassigned", "tier", "severity", "product", "office", "due_within", "limit"}, handler: s.queue},
		{method: "POST", path: "/v1/queue/claim", roles: claimers, summary: "Take the most urgent unassigned incident the caller may take (premium/platinum offered to senior engineers first); never the same one twice", request: "QueueFilter", reply: "Incident", status: 200, handler: s.claim},
		{method: "GET", path: "/v1/escalations", roles: staff, summary: "Escalations addressed to the caller, newest first", reply: "Escalations", status: 200, query: []string{"pending", "cursor", "limit"}, handler: s.listEscalations},
		{method: "POST", path: "/v1/escalations/:id/acknowledge", roles: staff, summary: "Acknowledge an escalation addressed to the caller", reply: "Escalation", status: 200, handler: s.acknowledgeEscalation},
		{method: "GET", path: "/v1/incidents/:id/followers", roles: everyone, summary: "The incident's followers: customers told of its changes as the opener is", reply: "Followers", status: 200, query: []string{"cursor", "limit"}, handler: s.listFollowers},
		{method: "PUT", path: "/v1/incidents/:id/followers/:user_id", roles: updaters, summary: "Add a follower (CC): a customer user of the incident's organisation who may see it (idempotent; customers who may act on it, and staff)", reply: "Followers", status: 200, handler: s.addFollower},
		{method: "DELETE", path: "/v1/incidents/:id/followers/:user_id", roles: updaters, summary: "Remove a follower (anyone may remove themselves)", status: 204, handler: s.removeFollower},
		{method: "GET", path: "/v1/incidents/:id/timeline", roles: everyone, summary: "An incident's timeline", reply: "Timeline", status: 200,
			query: []string{"cursor", "limit"}, handler: s.timeline},

		{method: "POST", path: "/v1/mailboxes", roles: admins, summary: "Add a support mailbox: IMAP settings (the secret is stored sealed, never returned), after-import action, default product and mapping by recipient, support addresses", request: "MailboxInput", reply: "Mailbox", status: 201, handler: s.createMailbox},
		{method: "GET", path: "/v1/mailboxes", roles: admins, summary: "Support mailboxes with their reader's state", reply: "Mailboxes", status: 200, query: []string{"cursor", "limit"}, handler: s.listMailboxes},
		{method: "GET", path: "/v1/mailboxes/:id", roles: admins, summary: "A mailbox: state (new, ok, failing), last error, last success, consecutive failures", reply: "Mailbox", status: 200, handler: s.getMailbox},
		{method: "PATCH", path: "/v1/mailboxes/:id", roles: admins, summary: "Change a mailbox (fields given)", request: "MailboxInput", reply: "Mailbox", status: 200, handler: s.patchMailbox},
		{method: "DELETE", path: "/v1/mailboxes/:id", roles: admins, summary: "Remove a mailbox (its messages stay)", status: 204, handler: s.deleteMailbox},
		{method: "GET", path: "/v1/inbound-messages", roles: staff, summary: "Incoming mail as stored, newest first; state=failed is the queue of mail that could not be processed", reply: "InboundMessages", status: 200,
			query: []string{"state", "cursor", "limit"}, handler: s.listInbound},
		{method: "POST", path: "/v1/inbound-messages/:id/reprocess", roles: workers, summary: "Process a failed, rejected or lead message again", reply: "InboundMessage", status: 202, handler: s.reprocessInbound},
		{method: "GET", path: "/v1/mail/undeliverable", roles: staff, summary: "Addresses a bounce reported undeliverable (automatic mail skips them)", reply: "Undeliverable", status: 200, query: []string{"cursor", "limit"}, handler: s.listUndeliverable},
		{method: "GET", path: "/v1/incidents/:id/attachments", roles: everyone, summary: "An incident's files (404 when the incident is not visible)", reply: "Attachments", status: 200, query: []string{"cursor", "limit"}, handler: s.listAttachments},
		{method: "GET", path: "/v1/incidents/:id/attachments/:aid", roles: everyone, summary: "Download one file (404 when the incident is not visible)", reply: "", status: 200, handler: s.getAttachment},
		{method: "POST", path: "/v1/incidents/:id/attachments", roles: updaters, summary: "Add a file (multipart/form-data, field file)", upload: true, reply: "Attachment", status: 201, handler: s.addAttachment},
	}
}

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
	query   []string
	handler fiber.Handler
}

var (
	customers          = []accounts.Role{accounts.Member, accounts.OrgAdmin}
	staff              = []accounts.Role{accounts.Engineer, accounts.SupportManager, accounts.Executive, accounts.Admin}
	everyone           = append(append([]accounts.Role{}, customers...), staff...)
	admins             = []accounts.Role{accounts.Admin}
	userAdmins         = []accounts.Role{accounts.Admin, accounts.OrgAdmin}
	managers           = []accounts.Role{accounts.SupportManager, accounts.Admin}
	entitlementReaders = append(append([]accounts.Role{}, staff...), accounts.OrgAdmin)
	intakeRoles        = append(append([]accounts.Role{}, customers...), accounts.Engineer, accounts.SupportManager, accounts.Admin)
)

func (s *Server) routes() []route {
	return []route{
		{method: "GET", path: "/healthz", summary: "Liveness: the process serves HTTP", reply: "Health", status: 200, handler: s.healthz},
		{method: "GET", path: "/readyz", summary: "Readiness: PostgreSQL and Redis reachable", reply: "Health", status: 200, handler: s.readyz},
		{method: "GET", path: "/metrics", summary: "Prometheus metrics", reply: "", status: 200, handler: s.metrics},
		{method: "GET", path: "/openapi.json", summary: "This document", reply: "", status: 200, handler: s.openapi},

		{method: "GET", path: "/v1/me", roles: everyone, summary: "The authenticated user", reply: "User", status: 200, handler: s.me},
		{method: "POST", path: "/v1/organizations", roles: admins, summary: "Create a customer organisation", request: "NewOrganization", reply: "Organization", status: 201, handler: s.createOrganization},
		{method: "GET", path: "/v1/organizations/:id", roles: everyone, summary: "An organisation (customers: their own)", reply: "Organization", status: 200, handler: s.getOrganization},
		{method: "POST", path: "/v1/users", roles: userAdmins, summary: "Create a user (org admins: users of their organisation)", request: "NewUser", reply: "User", status: 201, handler: s.createUser},
		{method: "POST", path: "/v1/users/:id/tokens", roles: everyone, summary: "Issue a bearer token, shown once (admins; users for themselves; org admins for their users)", request: "NewToken", reply: "Token", status: 201, handler: s.createToken},

		{method: "POST", path: "/v1/organizations/:id/entitlements", roles: admins, summary: "Add a maintenance contract or subscription", request: "NewEntitlement", reply: "Entitlement", status: 201, handler: s.createEntitlement},
		{method: "GET", path: "/v1/organizations/:id/entitlements", roles: entitlementReaders, summary: "Entitlement report: each with start, end, state, days left, renewal facts (org admins: their own)", reply: "EntitlementReport", status: 200, handler: s.listEntitlements},
		{method: "POST", path: "/v1/entitlements/:id/renewals", roles: managers, summary: "Renew: a new period, possibly a new serial (the old one still finds it)", request: "Renewal", reply: "Entitlement", status: 201, handler: s.renewEntitlement},
		{method: "POST", path: "/v1/entitlements/:id/extensions", roles: managers, summary: "Temporary extension while a renewal is processed", request: "Extension", reply: "Entitlement", status: 201, handler: s.extendEntitlement},
		{method: "GET", path: "/v1/intake-rejections", roles: staff, summary: "Refused intakes with the request body: renewal leads", reply: "Rejections", status: 200,
			query: []string{"organization_id", "code", "since", "limit"}, handler: s.listRejections},

		{method: "GET", path: "/v1/policies", roles: everyone, summary: "The current policy of each tier, with its version", reply: "Policies", status: 200, handler: s.listPolicies},
		{method: "PUT", path: "/v1/policies/:tier", roles: admins, summary: "New version of a tier's policy; cells not given keep their value", request: "PolicyCells", reply: "Policy", status: 200, handler: s.putPolicy},
		{method: "GET", path: "/v1/calendars", roles: everyone, summary: "The current version of every business calendar", reply: "Calendars", status: 200, handler: s.listCalendars},
		{method: "PUT", path: "/v1/calendars/:name", roles: admins, summary: "New version of a calendar", request: "Calendar", reply: "Calendar", status: 200, handler: s.putCalendar},
		{method: "POST", path: "/v1/sla/preview", roles: everyone, summary: "Every deadline of a hypothetical incident with its explanation; creates nothing", request: "PreviewRequest", reply: "Preview", status: 200, handler: s.previewSLA},

		{method: "GET", path: "/v1/notifications", roles: everyone, summary: "The caller's in-app notifications, newest first", reply: "Notifications", status: 200,
			query: []string{"unread", "limit"}, handler: s.listNotifications},
		{method: "POST", path: "/v1/notifications/:id/read", roles: everyone, summary: "Mark one of the caller's notifications read", status: 204, handler: s.readNotification},

		{method: "POST", path: "/v1/incidents", roles: intakeRoles, summary: "Open an incident (honours Idempotency-Key)", request: "NewIncident", reply: "Incident", status: 201, handler: s.openIncident},
		{method: "GET", path: "/v1/incidents", roles: everyone, summary: "List incidents visible to the caller, newest first", reply: "IncidentPage", status: 200,
			query: []string{"status", "severity", "tier", "product", "organization_id", "cursor", "limit"}, handler: s.listIncidents},
		{method: "GET", path: "/v1/incidents/:id", roles: everyone, summary: "One incident (404 when not visible)", reply: "Incident", status: 200, handler: s.getIncident},
		{method: "GET", path: "/v1/incidents/:id/timeline", roles: everyone, summary: "An incident's timeline", reply: "Timeline", status: 200, handler: s.timeline},
	}
}

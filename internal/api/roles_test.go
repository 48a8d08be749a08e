package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/accounts"
)

// roleTable is who may call each route, by role name: the route table's role lists resolved, so
// that a change to a shared list (staff, workers, …) shows up here as the routes it moves.
var roleTable = []struct{ method, path, roles string }{
	{"GET", "/healthz", ""},
	{"GET", "/readyz", ""},
	{"GET", "/metrics", ""},
	{"GET", "/openapi.json", ""},
	{"GET", "/v1/me", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/organizations/:id/entitlements/co-term", "support_manager admin"},
	{"POST", "/v1/sla/replay", "support_manager admin"},
	{"GET", "/v1/sla/replays/:id", "support_manager admin"},
	{"POST", "/v1/incidents/:id/confirm", "member org_admin"},
	{"GET", "/v1/me/notifications", "member org_admin engineer support_manager executive admin"},
	{"PATCH", "/v1/me", "member org_admin engineer support_manager executive admin"},
	{"GET", "/v1/organizations", "member org_admin engineer support_manager executive admin"},
	{"GET", "/v1/staff", "engineer support_manager executive admin"},
	{"GET", "/v1/incidents/by-reference/:ref", "member org_admin engineer support_manager executive admin"},
	{"GET", "/v1/incidents/:id/followers", "member org_admin engineer support_manager executive admin"},
	{"PUT", "/v1/incidents/:id/followers/:user_id", "member org_admin engineer support_manager admin"},
	{"DELETE", "/v1/incidents/:id/followers/:user_id", "member org_admin engineer support_manager admin"},
	{"POST", "/v1/organizations", "admin"},
	{"GET", "/v1/organizations/:id", "member org_admin engineer support_manager executive admin"},
	{"PATCH", "/v1/organizations/:id", "admin org_admin"},
	{"POST", "/v1/users", "admin org_admin"},
	{"GET", "/v1/organizations/:id/users", "engineer support_manager executive admin org_admin"},
	{"POST", "/v1/users/:id/deactivate", "admin org_admin"},
	{"POST", "/v1/users/:id/reactivate", "admin org_admin"},
	{"POST", "/v1/groups", "admin org_admin"},
	{"GET", "/v1/groups", "admin org_admin member"},
	{"GET", "/v1/groups/:id", "admin org_admin member"},
	{"DELETE", "/v1/groups/:id", "admin org_admin"},
	{"PUT", "/v1/groups/:id/members/:user_id", "admin org_admin"},
	{"DELETE", "/v1/groups/:id/members/:user_id", "admin org_admin"},
	{"PUT", "/v1/users/:id/password", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/users/:id/tokens", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/organizations/:id/entitlements", "admin"},
	{"GET", "/v1/organizations/:id/entitlements", "engineer support_manager executive admin org_admin"},
	{"POST", "/v1/entitlements/:id/renewals", "support_manager admin"},
	{"POST", "/v1/entitlements/:id/extensions", "support_manager admin"},
	{"GET", "/v1/intake-rejections", "engineer support_manager executive admin"},
	{"GET", "/v1/policies", "member org_admin engineer support_manager executive admin"},
	{"PUT", "/v1/policies/:tier", "admin"},
	{"GET", "/v1/calendars", "member org_admin engineer support_manager executive admin"},
	{"PUT", "/v1/calendars/:name", "admin"},
	{"POST", "/v1/sla/preview", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/webhooks", "admin org_admin"},
	{"GET", "/v1/webhooks", "admin org_admin"},
	{"DELETE", "/v1/webhooks/:id", "admin org_admin"},
	{"GET", "/v1/credits", "engineer support_manager executive admin org_admin"},
	{"GET", "/v1/reports/sla", "engineer support_manager executive admin"},
	{"GET", "/v1/notifications", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/notifications/:id/read", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/incidents", "member org_admin engineer support_manager admin"},
	{"GET", "/v1/incidents", "member org_admin engineer support_manager executive admin"},
	{"GET", "/v1/incidents/:id", "member org_admin engineer support_manager executive admin"},
	{"PATCH", "/v1/incidents/:id", "engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/acknowledge", "engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/updates", "member org_admin engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/assign", "engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/wait", "engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/resolve", "engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/reopen", "member org_admin engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/escalation-requests", "member org_admin engineer support_manager admin"},
	{"POST", "/v1/incidents/:id/remediation", "support_manager admin"},
	{"POST", "/v1/incidents/:id/reclassification-requests", "member org_admin engineer support_manager admin"},
	{"POST", "/v1/reclassification-requests/:id/approve", "support_manager admin"},
	{"POST", "/v1/reclassification-requests/:id/reject", "support_manager admin"},
	{"GET", "/v1/queue", "engineer support_manager admin"},
	{"POST", "/v1/queue/claim", "engineer support_manager"},
	{"GET", "/v1/escalations", "engineer support_manager executive admin"},
	{"POST", "/v1/escalations/:id/acknowledge", "engineer support_manager executive admin"},
	{"GET", "/v1/incidents/:id/timeline", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/mailboxes", "admin"},
	{"GET", "/v1/mailboxes", "admin"},
	{"GET", "/v1/mailboxes/:id", "admin"},
	{"PATCH", "/v1/mailboxes/:id", "admin"},
	{"DELETE", "/v1/mailboxes/:id", "admin"},
	{"GET", "/v1/inbound-messages", "engineer support_manager executive admin"},
	{"POST", "/v1/inbound-messages/:id/reprocess", "engineer support_manager admin"},
	{"GET", "/v1/mail/undeliverable", "engineer support_manager executive admin"},
	{"GET", "/v1/incidents/:id/attachments", "member org_admin engineer support_manager executive admin"},
	{"GET", "/v1/incidents/:id/attachments/:aid", "member org_admin engineer support_manager executive admin"},
	{"POST", "/v1/incidents/:id/attachments", "member org_admin engineer support_manager admin"},
}

// TestRoleTable: every route grants exactly the roles of the table, and no route is missing.
func TestRoleTable(t *testing.T) {
	routes := (&Server{}).routes()
	if len(routes) != len(roleTable) {
		t.Errorf("%d routes, the role table has %d", len(routes), len(roleTable))
	}
	want := map[string]string{}
	for _, r := range roleTable {
		want[r.method+" "+r.path] = r.roles
	}
	for _, r := range routes {
		var got []string
		for _, x := range r.roles {
			got = append(got, string(x))
		}
		w, ok := want[r.method+" "+r.path]
		if !ok {
			t.Errorf("%s %s is not in the role table", r.method, r.path)
			continue
		}
		if strings.Join(got, " ") != w {
			t.Errorf("%s %s: roles %v, the table says %q", r.method, r.path, got, w)
		}
	}
}

// TestStaffOnlyRoutes: the routes of staff-only content (SPEC §1) and of administration never
// admit a customer, whatever the shared role lists say; only probes and the API description are
// public.
func TestStaffOnlyRoutes(t *testing.T) {
	staffOnly := []string{"/v1/queue", "/v1/escalations", "/v1/reports", "/v1/intake-rejections", "/v1/inbound-messages",
		"/v1/mailboxes", "/v1/mail/", "/v1/reclassification-requests", "/v1/entitlements/"}
	public := []string{"/healthz", "/readyz", "/metrics", "/openapi.json"}
	for _, r := range (&Server{}).routes() {
		if len(r.roles) == 0 {
			if !slices.Contains(public, r.path) {
				t.Errorf("%s %s is public", r.method, r.path)
			}
			continue
		}
		customer := slices.Contains(r.roles, accounts.Member) || slices.Contains(r.roles, accounts.OrgAdmin)
		for _, p := range staffOnly {
			if strings.HasPrefix(r.path, p) && customer {
				t.Errorf("%s %s admits customers", r.method, r.path)
			}
		}
		if r.method != "GET" && (strings.HasPrefix(r.path, "/v1/policies") || strings.HasPrefix(r.path, "/v1/calendars")) &&
			!slices.Equal(r.roles, []accounts.Role{accounts.Admin}) {
			t.Errorf("%s %s: roles %v, want admins alone", r.method, r.path, r.roles)
		}
	}
	if !allowed([]accounts.Role{accounts.Engineer}, accounts.Engineer) || allowed([]accounts.Role{accounts.Engineer}, accounts.Member) || allowed(nil, accounts.Admin) {
		t.Error("allowed does not read the role list")
	}
}

package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

// TestCustomerRequests: escalation on request where the matrix allows it, refusals with their
// codes, scope, and reclassification decided by a manager.
func TestCustomerRequests(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t))
	w := setup(t, p, fmt.Sprintf("req-%d", time.Now().UnixNano()))
	mgrID := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": fmt.Sprintf("m-%d@vendor.example", time.Now().UnixNano()), "name": "M", "role": "support_manager", "office": "osaka"}).str("id")
	mgr := p.must(201, "POST", "/v1/users/"+mgrID+"/tokens", adminToken, nil).str("token")
	open := func(token string, sev int) string {
		return p.must(201, "POST", "/v1/incidents", token, map[string]any{"product": "endpoint", "title": "t", "description": "d", "severity": sev}).str("id")
	}

	// Standard severity 2: escalation to the support manager is "on request".
	std := open(w.memberB, 2)
	r := p.must(201, "POST", "/v1/incidents/"+std+"/escalation-requests", w.memberB, map[string]any{"reason": "production halted"})
	if r.Body["escalation_level"].(float64) != 1 {
		t.Fatalf("%s", r.Raw)
	}
	if esc := p.must(200, "GET", "/v1/escalations", mgr, nil); len(esc.Body["items"].([]any)) != 1 {
		t.Fatalf("the Osaka manager did not receive it: %s", esc.Raw)
	}
	if r := p.call("POST", "/v1/incidents/"+std+"/escalation-requests", w.memberB, map[string]any{"level": 1}); r.Status != 409 || r.errCode() != "already_escalated" {
		t.Fatalf("repeat: %d %s", r.Status, r.Raw)
	}
	// Standard has no executive level at all.
	if r := p.call("POST", "/v1/incidents/"+std+"/escalation-requests", w.memberB, nil); r.Status != 409 || r.errCode() != "escalation_not_available" {
		t.Fatalf("standard executive: %d %s", r.Status, r.Raw)
	}

	// Platinum severity 2: support manager at 72 h (not on request before), executive on request.
	plat := open(w.memberA, 2)
	if r := p.call("POST", "/v1/incidents/"+plat+"/escalation-requests", w.memberA, map[string]any{"level": 1}); r.Status != 409 || r.errCode() != "escalation_not_available" {
		t.Fatalf("platinum sev 2 level 1 before 72 h: %d %s", r.Status, r.Raw)
	}
	if r := p.must(201, "POST", "/v1/incidents/"+plat+"/escalation-requests", w.memberA, map[string]any{"level": 2}); r.Body["escalation_level"].(float64) != 2 {
		t.Fatalf("platinum executive on request: %s", r.Raw)
	}
	// Another organisation's customer cannot even see it.
	if r := p.call("POST", "/v1/incidents/"+plat+"/escalation-requests", w.memberB, nil); r.Status != 404 {
		t.Fatalf("foreign request: %d", r.Status)
	}

	// Scope outside the product refuses escalation requests.
	env := open(w.memberB, 2)
	if r := p.call("PATCH", "/v1/incidents/"+env, w.engineer, map[string]any{"scope": "environment"}); r.Status != 422 || r.errField() != "reason" {
		t.Fatalf("scope without reason: %d %s", r.Status, r.Raw)
	}
	p.must(200, "PATCH", "/v1/incidents/"+env, w.engineer, map[string]any{"scope": "environment", "reason": "custom kernel module"})
	if r := p.call("POST", "/v1/incidents/"+env+"/escalation-requests", w.memberB, nil); r.Status != 409 || r.errCode() != "out_of_scope" {
		t.Fatalf("out of scope: %d %s", r.Status, r.Raw)
	}

	// Reclassification 3 → 2, approved by a manager: re-planned at severity 2.
	s3 := open(w.memberA, 3)
	if r := p.call("POST", "/v1/incidents/"+s3+"/reclassification-requests", w.memberA, map[string]any{}); r.Status != 422 || r.errField() != "reason" {
		t.Fatalf("no reason: %d %s", r.Status, r.Raw)
	}
	req := p.must(201, "POST", "/v1/incidents/"+s3+"/reclassification-requests", w.memberA, map[string]any{"reason": "now blocking month-end close"})
	rid := req.Body["request"].(map[string]any)["id"].(string)
	if req.Body["request"].(map[string]any)["state"] != "pending" {
		t.Fatalf("%s", req.Raw)
	}
	if r := p.call("POST", "/v1/incidents/"+s3+"/reclassification-requests", w.memberA, map[string]any{"reason": "again"}); r.Status != 409 || r.errCode() != "already_requested" {
		t.Fatalf("second request: %d %s", r.Status, r.Raw)
	}
	if r := p.call("POST", "/v1/reclassification-requests/"+rid+"/approve", w.engineer, map[string]any{"reason": "ok"}); r.Status != 403 {
		t.Fatalf("engineer approves: %d", r.Status)
	}
	dec := p.must(200, "POST", "/v1/reclassification-requests/"+rid+"/approve", mgr, map[string]any{"reason": "impact confirmed"})
	inc := dec.Body["incident"].(map[string]any)
	if inc["severity"].(float64) != 2 {
		t.Fatalf("%s", dec.Raw)
	}
	// Platinum severity 2 first response is 2 h from the change.
	got := p.must(200, "GET", "/v1/incidents/"+s3, w.memberA, nil)
	fr := targetOf(t, got, "first_response")
	if d := parseTime(t, fr["due_at"]).Sub(time.Now()); d < 110*time.Minute || d > 2*time.Hour {
		t.Fatalf("first response after reclassification due in %v", d)
	}
	if r := p.call("POST", "/v1/reclassification-requests/"+rid+"/reject", mgr, map[string]any{"reason": "late"}); r.Status != 409 || r.errCode() != "already_decided" {
		t.Fatalf("decided twice: %d %s", r.Status, r.Raw)
	}
	if r := p.call("POST", "/v1/incidents/"+s3+"/reclassification-requests", w.memberA, map[string]any{"reason": "x"}); r.Status != 409 || r.errCode() != "reclassification_not_available" {
		t.Fatalf("severity 2 reclassified: %d %s", r.Status, r.Raw)
	}
}

// TestOrgAdminManagesUsers: an organisation's admin lists, adds and deactivates their own
// organisation's users and cannot see another's.
func TestOrgAdminManagesUsers(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("oa-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	oaID := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": "oa-" + suffix + "@acme.example", "name": "OA", "role": "org_admin", "organization_id": w.orgA}).str("id")
	oa := p.must(201, "POST", "/v1/users/"+oaID+"/tokens", adminToken, nil).str("token")
	newID := p.must(201, "POST", "/v1/users", oa, map[string]any{"email": "new-" + suffix + "@acme.example", "name": "New", "role": "member", "organization_id": w.orgA}).str("id")
	tok := p.must(201, "POST", "/v1/users/"+newID+"/tokens", oa, nil).str("token")
	p.must(200, "GET", "/v1/me", tok, nil)
	list := p.must(200, "GET", "/v1/organizations/"+w.orgA+"/users", oa, nil)
	if n := len(list.Body["items"].([]any)); n != 3 { // member A, the org admin, the new member
		t.Fatalf("%d users listed: %s", n, list.Raw)
	}
	if r := p.call("GET", "/v1/organizations/"+w.orgB+"/users", oa, nil); r.Status != 404 {
		t.Fatalf("another organisation's users: %d", r.Status)
	}
	if r := p.call("POST", "/v1/users", oa, map[string]any{"email": "eng-" + suffix + "@x.example", "name": "E", "role": "engineer", "office": "tokyo"}); r.Status != 403 {
		t.Fatalf("org admin creates staff: %d", r.Status)
	}
	p.must(200, "POST", "/v1/users/"+newID+"/deactivate", oa, nil)
	if r := p.call("GET", "/v1/me", tok, nil); r.Status != 401 {
		t.Fatalf("deactivated user still authenticates: %d", r.Status)
	}
	if r := p.call("POST", "/v1/users/"+newID+"/deactivate", w.memberB, nil); r.Status != 403 { // members may not, whoever the user is
		t.Fatalf("foreign customer deactivates: %d", r.Status)
	}
}

// TestQueueAndClaim: the queue orders premium/platinum first and a claim hands out the most
// urgent unassigned incident once.
func TestQueueAndClaim(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t))
	w := setup(t, p, fmt.Sprintf("q-%d", time.Now().UnixNano()))
	std := p.must(201, "POST", "/v1/incidents", w.memberB, map[string]any{"product": "endpoint", "title": "std", "description": "d", "severity": 1}).str("id")
	plat := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "plat", "description": "d", "severity": 3}).str("id")
	q := p.must(200, "GET", "/v1/queue", w.engineer, nil)
	items := q.Body["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != plat || items[1].(map[string]any)["id"] != std {
		t.Fatalf("queue order: %s", q.Raw)
	}
	if items[0].(map[string]any)["next_due_at"] == nil {
		t.Fatalf("no next deadline: %s", q.Raw)
	}
	if r := p.call("GET", "/v1/queue", w.memberA, nil); r.Status != 403 {
		t.Fatalf("customer reads the queue: %d", r.Status)
	}
	// The engineer in setup is not senior: the fresh platinum incident is kept for seniors.
	got := p.must(200, "POST", "/v1/queue/claim", w.engineer, nil)
	if got.str("id") != std || got.str("assignee_id") != w.engineerID {
		t.Fatalf("claim: %s", got.Raw)
	}
	if r := p.call("POST", "/v1/queue/claim", w.engineer, nil); r.Status != 404 || r.errCode() != "queue_empty" {
		t.Fatalf("second claim: %d %s", r.Status, r.Raw)
	}
}

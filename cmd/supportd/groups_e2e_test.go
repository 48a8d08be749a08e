package main

import (
	"fmt"
	"testing"
	"time"
)

// TestGroupsEndToEnd: an incident-response team (seed 003 §3.2). A member acts on a colleague's
// incident only once both are in a group, and no longer once removed; under the organisation's
// "own" visibility a member outside the group cannot even see it, exactly as if it did not
// exist; organisation admins see and manage everything of their own organisation and nothing of
// another's.
func TestGroupsEndToEnd(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("grp-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	mk := func(name, role, org string) (id, token string) {
		id = p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": name + "-" + suffix + "@example.com", "name": name, "role": role, "organization_id": org}).str("id")
		return id, p.must(201, "POST", "/v1/users/"+id+"/tokens", adminToken, nil).str("token")
	}
	bID, b := mk("bea", "member", w.orgA)  // A's colleague, later in A's team
	_, c := mk("cai", "member", w.orgA)    // A's colleague in no team
	_, oa := mk("oa", "org_admin", w.orgA) // A's organisation admin
	_, ob := mk("ob", "org_admin", w.orgB) // another organisation's admin
	foreignID := p.must(200, "GET", "/v1/me", w.memberB, nil).str("id")
	const missing = "0190aaaa-0000-7000-8000-000000000000"

	incA := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "Ransomware on file server", "description": "d", "severity": 2}).str("id")
	reply := map[string]any{"body": "isolated the host"}

	t.Run("a colleague outside the opener's groups sees but may not act", func(t *testing.T) {
		p.must(200, "GET", "/v1/incidents/"+incA, b, nil)
		for path, body := range map[string]map[string]any{"/updates": {"body": "x"}, "/escalation-requests": {"reason": "x", "level": 2},
			"/reclassification-requests": {"reason": "x"}, "/reopen": {"reason": "x"}} {
			r := p.call("POST", "/v1/incidents/"+incA+path, b, body)
			if r.Status != 403 || r.errCode() != "not_in_group" {
				t.Errorf("%s: %d %s", path, r.Status, r.Raw)
			}
		}
		if r := p.call("POST", "/v1/groups", b, map[string]any{"name": "Mine"}); r.Status != 403 || r.errCode() != "forbidden" {
			t.Fatalf("member creates a group: %d %s", r.Status, r.Raw)
		}
	})

	var group string
	t.Run("the organisation admin builds the team", func(t *testing.T) {
		g := p.must(201, "POST", "/v1/groups", oa, map[string]any{"name": "CSIRT", "description": "incident response"})
		group = g.str("id")
		if g.str("organization_id") != w.orgA || g.str("name") != "CSIRT" || len(g.Body["members"].([]any)) != 0 || g.str("created_at") == "" {
			t.Fatalf("%s", g.Raw)
		}
		if r := p.call("POST", "/v1/groups", oa, map[string]any{"name": "csirt"}); r.Status != 409 || r.errCode() != "group_exists" {
			t.Fatalf("duplicate: %d %s", r.Status, r.Raw)
		}
		if r := p.call("POST", "/v1/groups", oa, map[string]any{"name": " "}); r.Status != 422 || r.errField() != "name" {
			t.Fatalf("empty name: %d %s", r.Status, r.Raw)
		}
		p.must(200, "PUT", "/v1/groups/"+group+"/members/"+w.memberAID, oa, nil)
		got := p.must(200, "PUT", "/v1/groups/"+group+"/members/"+bID, oa, nil)
		again := p.must(200, "PUT", "/v1/groups/"+group+"/members/"+bID, oa, nil)
		members := again.Body["members"].([]any)
		if len(members) != 2 || string(got.Raw) != string(again.Raw) {
			t.Fatalf("adding twice:\n%s\n%s", got.Raw, again.Raw)
		}
		m := members[1].(map[string]any)
		if m["user_id"] != bID || m["name"] != "bea" || m["email"] != "bea-"+suffix+"@example.com" || m["added_at"] == nil {
			t.Fatalf("member %v", m)
		}
		if r := p.call("PUT", "/v1/groups/"+group+"/members/"+w.engineerID, oa, nil); r.Status != 422 || r.errField() != "user_id" {
			t.Fatalf("staff in a customer group: %d %s", r.Status, r.Raw)
		}
		if r := p.call("PUT", "/v1/groups/"+group+"/members/"+foreignID, oa, nil); r.Status != 404 || r.errCode() != "not_found" {
			t.Fatalf("another organisation's user: %d %s", r.Status, r.Raw)
		}
		if r := p.call("PUT", "/v1/groups/"+group+"/members/"+w.memberAID, b, nil); r.Status != 403 {
			t.Fatalf("member manages the group: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("a team member acts on a team mate's incident", func(t *testing.T) {
		r := p.must(200, "POST", "/v1/incidents/"+incA+"/updates", b, reply)
		if r.str("id") != incA {
			t.Fatalf("%s", r.Raw)
		}
		if r := p.must(201, "POST", "/v1/incidents/"+incA+"/escalation-requests", b, map[string]any{"level": 2, "reason": "encryption spreading"}); r.Body["escalation_level"].(float64) != 2 {
			t.Fatalf("%s", r.Raw)
		}
		if r := p.call("POST", "/v1/incidents/"+incA+"/updates", c, reply); r.Status != 403 || r.errCode() != "not_in_group" {
			t.Fatalf("colleague in no team: %d %s", r.Status, r.Raw)
		}
		p.must(200, "POST", "/v1/incidents/"+incA+"/updates", oa, reply) // org admins act on every incident
		if items := p.must(200, "GET", "/v1/groups", b, nil).Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != group {
			t.Fatalf("member's groups: %v", items)
		}
		if items := p.must(200, "GET", "/v1/groups", c, nil).Body["items"].([]any); len(items) != 0 {
			t.Fatalf("colleague in no team lists %v", items)
		}
		if r := p.call("GET", "/v1/groups/"+group, c, nil); r.Status != 404 {
			t.Fatalf("colleague reads the team: %d", r.Status)
		}
	})

	t.Run("removal from the team revokes it", func(t *testing.T) {
		p.must(204, "DELETE", "/v1/groups/"+group+"/members/"+bID, oa, nil)
		if r := p.call("POST", "/v1/incidents/"+incA+"/updates", b, reply); r.Status != 403 || r.errCode() != "not_in_group" {
			t.Fatalf("after removal: %d %s", r.Status, r.Raw)
		}
		p.must(200, "PUT", "/v1/groups/"+group+"/members/"+bID, oa, nil)
		p.must(200, "POST", "/v1/incidents/"+incA+"/updates", b, reply)
	})

	t.Run("another organisation's admin finds nothing", func(t *testing.T) {
		foreign := p.call("GET", "/v1/groups/"+group, ob, nil)
		if absent := p.call("GET", "/v1/groups/"+missing, ob, nil); foreign.Status != 404 || string(foreign.Raw) != string(absent.Raw) {
			t.Fatalf("another organisation's group must look missing:\n%s\n%s", foreign.Raw, absent.Raw)
		}
		if r := p.call("PUT", "/v1/groups/"+group+"/members/"+foreignID, ob, nil); r.Status != 404 {
			t.Fatalf("adding own user to another organisation's group: %d %s", r.Status, r.Raw)
		}
		if r := p.call("PUT", "/v1/groups/"+group+"/members/"+bID, ob, nil); r.Status != 404 {
			t.Fatalf("adding its users: %d %s", r.Status, r.Raw)
		}
		if r := p.call("DELETE", "/v1/groups/"+group, ob, nil); r.Status != 404 {
			t.Fatalf("deleting: %d %s", r.Status, r.Raw)
		}
		if r := p.call("POST", "/v1/groups", ob, map[string]any{"name": "Sneaky", "organization_id": w.orgA}); r.Status != 404 {
			t.Fatalf("creating in another organisation: %d %s", r.Status, r.Raw)
		}
		if items := p.must(200, "GET", "/v1/groups", ob, nil).Body["items"].([]any); len(items) != 0 {
			t.Fatalf("lists %v", items)
		}
		if r := p.call("PATCH", "/v1/organizations/"+w.orgA, ob, map[string]any{"incident_visibility": "own"}); r.Status != 404 {
			t.Fatalf("changing another organisation: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("under own visibility a colleague outside the team cannot see the incident", func(t *testing.T) {
		if r := p.call("PATCH", "/v1/organizations/"+w.orgA, b, map[string]any{"incident_visibility": "own"}); r.Status != 403 {
			t.Fatalf("member changes visibility: %d", r.Status)
		}
		if r := p.call("PATCH", "/v1/organizations/"+w.orgA, oa, map[string]any{"incident_visibility": "team"}); r.Status != 422 || r.errField() != "incident_visibility" {
			t.Fatalf("bad value: %d %s", r.Status, r.Raw)
		}
		if org := p.must(200, "GET", "/v1/organizations/"+w.orgA, c, nil); org.str("incident_visibility") != "organization" {
			t.Fatalf("default: %s", org.Raw)
		}
		if org := p.must(200, "PATCH", "/v1/organizations/"+w.orgA, oa, map[string]any{"incident_visibility": "own"}); org.str("incident_visibility") != "own" {
			t.Fatalf("%s", org.Raw)
		}
		hidden := p.call("GET", "/v1/incidents/"+incA, c, nil)
		if absent := p.call("GET", "/v1/incidents/"+missing, c, nil); hidden.Status != 404 || string(hidden.Raw) != string(absent.Raw) {
			t.Fatalf("a hidden incident must look missing:\n%s\n%s", hidden.Raw, absent.Raw)
		}
		if r := p.call("GET", "/v1/incidents/"+incA+"/timeline", c, nil); r.Status != 404 {
			t.Fatalf("timeline: %d", r.Status)
		}
		if r := p.call("POST", "/v1/incidents/"+incA+"/updates", c, reply); r.Status != 404 {
			t.Fatalf("acting on a hidden incident: %d %s", r.Status, r.Raw)
		}
		incC := p.must(201, "POST", "/v1/incidents", c, map[string]any{"product": "endpoint", "title": "Printer", "description": "d", "severity": 4}).str("id")
		ids := func(token string) map[string]bool {
			out := map[string]bool{}
			for _, it := range listAll(t, p, token) {
				out[it["id"].(string)] = true
			}
			return out
		}
		if got := ids(c); len(got) != 1 || !got[incC] {
			t.Fatalf("colleague lists %v, want only their own %s", got, incC)
		}
		if got := ids(b); !got[incA] || got[incC] {
			t.Fatalf("team member lists %v", got)
		}
		if got := ids(oa); !got[incA] || !got[incC] {
			t.Fatalf("org admin lists %v", got)
		}
		p.must(200, "GET", "/v1/incidents/"+incA, b, nil)
		p.must(200, "GET", "/v1/incidents/"+incC, oa, nil)
		p.must(200, "GET", "/v1/incidents/"+incA+"/timeline", b, nil)
	})

	t.Run("deleting the team ends it", func(t *testing.T) {
		if r := p.call("DELETE", "/v1/groups/"+group, b, nil); r.Status != 403 {
			t.Fatalf("member deletes: %d", r.Status)
		}
		p.must(204, "DELETE", "/v1/groups/"+group, oa, nil)
		if r := p.call("GET", "/v1/incidents/"+incA, b, nil); r.Status != 404 {
			t.Fatalf("former team member under own visibility: %d", r.Status)
		}
		p.must(200, "GET", "/v1/incidents/"+incA, w.memberA, nil)
		if r := p.call("GET", "/v1/groups/"+group, oa, nil); r.Status != 404 {
			t.Fatalf("deleted group: %d", r.Status)
		}
	})
}

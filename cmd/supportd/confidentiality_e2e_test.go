package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
)

// mkUser creates a user through the API and returns its ID and a token.
func mkUser(t *testing.T, p *proc, email, role, org string) (id, token string) {
	t.Helper()
	body := map[string]any{"email": email, "name": role, "role": role}
	if org != "" {
		body["organization_id"] = org
	} else {
		body["office"] = "tokyo"
	}
	id = p.must(201, "POST", "/v1/users", adminToken, body).str("id")
	return id, p.must(201, "POST", "/v1/users/"+id+"/tokens", adminToken, nil).str("token")
}

// TestInternalNotesStayInternal (issue 10): an engineer's internal note is not on the timeline
// a member or an org admin of the organisation reads; the engineer still reads it.
func TestInternalNotesStayInternal(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("note-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	_, oa := mkUser(t, p, "oa-"+suffix+"@acme.example", "org_admin", w.orgA)
	id := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "t", "description": "d"}).str("id")
	const secret = "customer runs a cracked build, do not tell them"
	p.must(200, "POST", "/v1/incidents/"+id+"/updates", w.engineer, map[string]any{"body": secret, "public": false})
	for who, tok := range map[string]string{"member": w.memberA, "org_admin": oa} {
		r := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", tok, nil)
		if strings.Contains(string(r.Raw), secret) || strings.Contains(string(r.Raw), "internal_note") {
			t.Errorf("%s reads the internal note: %s", who, r.Raw)
		}
	}
	if r := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", w.engineer, nil); !strings.Contains(string(r.Raw), secret) {
		t.Errorf("the engineer does not read the note: %s", r.Raw)
	}
}

// TestDeactivatedUserStaysOut (issue 10): after deactivation no token is minted for the user
// (409 user_deactivated) and the old one is refused; reactivation lets a new token in, not the
// old one.
func TestDeactivatedUserStaysOut(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("deact-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	_, oa := mkUser(t, p, "oa-"+suffix+"@acme.example", "org_admin", w.orgA)
	p.must(200, "POST", "/v1/users/"+w.memberAID+"/deactivate", oa, nil)
	for who, tok := range map[string]string{"org_admin": oa, "admin": adminToken} {
		if r := p.call("POST", "/v1/users/"+w.memberAID+"/tokens", tok, nil); r.Status != 409 || r.errCode() != "user_deactivated" {
			t.Fatalf("%s mints a token for a deactivated user: %d %s", who, r.Status, r.Raw)
		}
	}
	if r := p.call("GET", "/v1/me", w.memberA, nil); r.Status != 401 {
		t.Fatalf("old token after deactivation: %d", r.Status)
	}
	if r := p.call("POST", "/v1/users/"+w.memberAID+"/reactivate", w.memberB, nil); r.Status != 403 {
		t.Fatalf("a member reactivates: %d", r.Status)
	}
	back := p.must(200, "POST", "/v1/users/"+w.memberAID+"/reactivate", oa, nil)
	if back.Body["deactivated_at"] != nil {
		t.Fatalf("reactivated user: %s", back.Raw)
	}
	if r := p.call("GET", "/v1/me", w.memberA, nil); r.Status != 401 {
		t.Fatalf("reactivation brought the old token back: %d", r.Status)
	}
	tok := p.must(201, "POST", "/v1/users/"+w.memberAID+"/tokens", oa, nil).str("token")
	p.must(200, "GET", "/v1/me", tok, nil)
}

// TestTimelineAudiencesOverHTTP: one entry of every kind on the timelines of three incidents
// (deadlines passed by real timers, then the whole lifecycle and both reclassification
// decisions), read through the API by a member, an org admin, an engineer and a support
// manager. Customers read only customer-visible kinds with their customer fields; staff read
// every kind; customers' inboxes hold no staff-only note.
func TestTimelineAudiencesOverHTTP(t *testing.T) {
	db := "DATABASE_URL=" + testenv.FreshDatabase(t)
	p := start(t, db)
	startWorker(t, db, "RECONCILE_INTERVAL=2s")
	suffix := fmt.Sprintf("aud-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	drillPolicy(t, p)
	_, oa := mkUser(t, p, "oa-"+suffix+"@acme.example", "org_admin", w.orgA)
	_, mgr := mkUser(t, p, "mgr-"+suffix+"@vendor.example", "support_manager", "")
	open := func(severity int) string {
		return p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "t", "description": "d", "severity": severity}).str("id")
	}
	const note, scopeReason = "INTERNAL: pirated build suspected", "SCOPE: custom kernel module"
	x := open(1) // platinum severity 1 under the drill policy: response 2 s, support manager 4 s
	waitFor(t, 30*time.Second, "the level-1 escalation by deadline", func() bool {
		return strings.Contains(string(p.must(200, "GET", "/v1/incidents/"+x+"/timeline", w.engineer, nil).Raw), `"escalated"`)
	})
	inc := "/v1/incidents/" + x
	for _, raw := range p.must(200, "GET", "/v1/escalations", mgr, nil).Body["items"].([]any) {
		if e := raw.(map[string]any); e["incident_id"] == x {
			p.must(200, "POST", "/v1/escalations/"+e["id"].(string)+"/acknowledge", mgr, nil)
		}
	}
	p.must(200, "POST", inc+"/assign", w.engineer, map[string]any{"assignee_id": w.engineerID})
	p.must(200, "POST", inc+"/updates", w.engineer, map[string]any{"body": note, "public": false})
	p.must(200, "POST", inc+"/acknowledge", w.engineer, map[string]any{"message": "on it"})
	p.must(200, "POST", inc+"/updates", w.engineer, map[string]any{"body": "reproduced", "public": true})
	p.must(200, "POST", inc+"/wait", w.engineer, map[string]any{"reason": "send the agent logs"})
	p.must(200, "POST", inc+"/updates", w.memberA, map[string]any{"body": "logs attached"})
	p.must(200, "POST", inc+"/remediation", mgr, map[string]any{"plan": "hotfix", "resolve_by": time.Now().Add(72 * time.Hour)})
	p.must(200, "PATCH", inc, w.engineer, map[string]any{"severity": 2, "reason": "a workaround exists"})
	p.must(200, "PATCH", inc, w.engineer, map[string]any{"scope": "environment", "reason": scopeReason})
	p.must(200, "POST", inc+"/resolve", w.engineer, map[string]any{"resolution": "hotfix applied"})
	p.must(200, "POST", inc+"/reopen", w.memberA, map[string]any{"reason": "it came back"})
	y, z := open(3), open(3)
	p.must(201, "POST", "/v1/incidents/"+y+"/escalation-requests", w.memberA, map[string]any{"level": 2, "reason": "board asks"})
	for id, verb := range map[string]string{y: "approve", z: "reject"} {
		req := p.must(201, "POST", "/v1/incidents/"+id+"/reclassification-requests", w.memberA, map[string]any{"reason": "worse"})
		reqID := req.Body["request"].(map[string]any)["id"].(string)
		p.must(200, "POST", "/v1/reclassification-requests/"+reqID+"/"+verb, mgr, map[string]any{"reason": "decided"})
	}
	p.must(200, "POST", "/v1/incidents/"+z+"/resolve", w.engineer, map[string]any{"resolution": "not a defect"})
	p.must(200, "POST", "/v1/incidents/"+z+"/confirm", w.memberA, map[string]any{"message": "agreed"})

	staffSaw := map[string]bool{}
	for _, r := range []struct {
		who, token string
		customer   bool
	}{{"member", w.memberA, true}, {"org_admin", oa, true}, {"engineer", w.engineer, false}, {"support_manager", mgr, false}} {
		for _, id := range []string{x, y, z} {
			res := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", r.token, nil)
			for _, raw := range res.Body["events"].([]any) {
				e := raw.(map[string]any)
				kind := e["kind"].(string)
				if !r.customer {
					staffSaw[kind] = true
					continue
				}
				if tickets.EventAudience(kind) != tickets.AudienceCustomer {
					t.Errorf("%s reads %s", r.who, kind)
				}
				allowed := map[string]bool{}
				for _, f := range tickets.CustomerFields(kind) {
					allowed[f] = true
				}
				for f := range e["data"].(map[string]any) {
					if !allowed[f] {
						t.Errorf("%s reads %s.%s", r.who, kind, f)
					}
				}
			}
			if r.customer && (strings.Contains(string(res.Raw), note) || strings.Contains(string(res.Raw), scopeReason)) {
				t.Errorf("%s reads staff-only text: %s", r.who, res.Raw)
			}
		}
		if r.customer {
			// Customers are told of customer-visible changes (issue 12), never in staff words.
			inbox := p.must(200, "GET", "/v1/notifications", r.token, nil)
			for _, raw := range inbox.Body["items"].([]any) {
				if k, _ := raw.(map[string]any)["kind"].(string); escalation.NoteAudience(k) != tickets.AudienceCustomer {
					t.Errorf("%s's inbox holds a %v note", r.who, k)
				}
			}
			if strings.Contains(string(inbox.Raw), note) || strings.Contains(string(inbox.Raw), scopeReason) {
				t.Errorf("%s's inbox holds staff-only text: %s", r.who, inbox.Raw)
			}
		}
	}
	// Follow-up links are written only by the mail channel (a reply to an incident resolved too
	// long ago); tickets' TestEveryKindAgainstEveryAudience and the inbound tests cover them.
	mailOnly := map[string]bool{tickets.KindFollowUpOf: true, tickets.KindFollowUpOpened: true}
	for _, kind := range tickets.EventKinds() {
		if !staffSaw[kind] && !mailOnly[kind] {
			t.Errorf("no %s entry was made or staff do not read it", kind)
		}
	}
	if r := p.call("GET", "/v1/incidents/"+x+"/timeline", w.memberB, nil); r.Status != 404 {
		t.Errorf("another organisation's member reads the timeline: %d", r.Status)
	}
}

// TestWebhookInternalTargetsRefused (issue 10): an admin cannot point a webhook at the
// engine's own networks, whatever the spelling, unless the operator allows private targets.
func TestWebhookInternalTargetsRefused(t *testing.T) {
	p := start(t)
	for _, u := range []string{"http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://017700000001/",
		"http://[::ffff:127.0.0.1]/", "http://[::1]/", "http://0.0.0.0/", "http://localhost/", "http://169.254.169.254/latest/meta-data/"} {
		r := p.call("POST", "/v1/webhooks", adminToken, map[string]any{"url": u})
		if r.Status != 422 || r.errCode() != "webhook_target_forbidden" || r.errField() != "url" {
			t.Errorf("%s: %d %s", u, r.Status, r.Raw)
		}
	}
	// An organisation's admin subscribes for their organisation, under the same rule.
	suffix := fmt.Sprintf("hooks-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	_, oa := mkUser(t, p, "oa-"+suffix+"@acme.example", "org_admin", w.orgA)
	if r := p.call("POST", "/v1/webhooks", oa, map[string]any{"url": "http://127.1/"}); r.errCode() != "webhook_target_forbidden" {
		t.Errorf("org admin, internal target: %d %s", r.Status, r.Raw)
	}
	h := p.must(201, "POST", "/v1/webhooks", oa, map[string]any{"url": "https://hooks.acme.example/supportd"})
	if h.Body["organization_id"] != w.orgA {
		t.Errorf("org admin's webhook: %s", h.Raw)
	}
	if r := p.call("POST", "/v1/webhooks", w.memberA, map[string]any{"url": "https://hooks.acme.example/m"}); r.Status != 403 {
		t.Errorf("member subscribes: %d", r.Status)
	}
	onPrem := start(t, "WEBHOOK_ALLOW_PRIVATE=true")
	onPrem.must(201, "POST", "/v1/webhooks", adminToken, map[string]any{"url": "http://10.20.30.40/hook"})
}

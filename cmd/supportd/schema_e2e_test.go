package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

// schemaCheck calls routes and validates each success answer against the schema /openapi.json
// gives for that operation and status, remembering which operations it saw.
type schemaCheck struct {
	t     *testing.T
	p     *proc
	paths map[string]any
	vd    validator
	seen  map[string]bool
}

var pathParam = regexp.MustCompile(`\{[a-z_]+\}`)

// operation finds the documented path a concrete one matches, preferring the most literal.
func (sc *schemaCheck) operation(method, concrete string) (string, map[string]any) {
	concrete, _, _ = strings.Cut(concrete, "?")
	best, bestParams := "", 1<<30
	for tmpl := range sc.paths {
		var re strings.Builder
		re.WriteString("^")
		for i, lit := range pathParam.Split(tmpl, -1) {
			if i > 0 {
				re.WriteString("[^/]+")
			}
			re.WriteString(regexp.QuoteMeta(lit))
		}
		re.WriteString("$")
		if !regexp.MustCompile(re.String()).MatchString(concrete) {
			continue
		}
		if n := len(pathParam.FindAllString(tmpl, -1)); n < bestParams {
			best, bestParams = tmpl, n
		}
	}
	if best == "" {
		sc.t.Fatalf("%s %s is not in /openapi.json", method, concrete)
	}
	op, ok := sc.paths[best].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		sc.t.Fatalf("%s %s: method not in /openapi.json", method, best)
	}
	return strings.ToUpper(method) + " " + best, op
}

// check validates an answer already received.
func (sc *schemaCheck) check(method, path string, r reply) reply {
	sc.t.Helper()
	key, op := sc.operation(method, path)
	sc.seen[key] = true
	res, ok := op["responses"].(map[string]any)[strconv.Itoa(r.Status)].(map[string]any)
	if !ok || r.Status >= 300 || r.Status < 200 {
		sc.t.Errorf("%s: status %d is not its documented success: %s", key, r.Status, r.Raw)
		return r
	}
	content, _ := res["content"].(map[string]any)
	if content == nil {
		return r // no JSON body documented (a download, a 204)
	}
	schema := content["application/json"].(map[string]any)["schema"].(map[string]any)
	var v any
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		sc.t.Errorf("%s: not JSON: %v: %s", key, err, r.Raw)
		return r
	}
	if errs := sc.vd.validate(schema, v, "$"); len(errs) > 0 {
		sc.t.Errorf("%s (%s %s) does not match its schema:\n  %s\nbody: %s", key, method, path, strings.Join(errs, "\n  "), r.Raw)
	}
	return r
}

// do calls a route, requires the status and validates the answer.
func (sc *schemaCheck) do(status int, method, path, token string, body any, headers ...string) reply {
	sc.t.Helper()
	return sc.check(method, path, sc.p.must(status, method, path, token, body, headers...))
}

// TestRepliesMatchTheirSchemas drives every GET, POST, PUT and PATCH route to a success through
// a running supportd and validates each answer against the schema /openapi.json generates from
// the wire types. Objects are closed (additionalProperties: false) and fields without omitempty
// are required, so a handler answering with a field the document lacks, or without one it
// promises, fails here.
func TestRepliesMatchTheirSchemas(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t))
	suffix := fmt.Sprintf("sch-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	doc := p.must(200, "GET", "/openapi.json", "", nil).Body
	sc := &schemaCheck{t: t, p: p, paths: doc["paths"].(map[string]any),
		vd:   validator{schemas: doc["components"].(map[string]any)["schemas"].(map[string]any)},
		seen: map[string]bool{}}
	now := time.Now().UTC()
	admin := adminToken

	// Operations and accounts.
	sc.do(200, "GET", "/healthz", "", nil)
	sc.do(200, "GET", "/readyz", "", nil)
	sc.do(200, "GET", "/v1/me", w.memberA, nil)
	sc.do(200, "GET", "/v1/me/notifications", w.memberA, nil)
	sc.do(200, "PATCH", "/v1/me", w.memberA, map[string]any{"language": "en"})
	orgC := sc.do(201, "POST", "/v1/organizations", admin, map[string]any{"name": "Gamma " + suffix, "office": "tokyo", "tier": "premium"}).str("id")
	sc.do(200, "GET", "/v1/organizations", admin, nil)
	sc.do(200, "GET", "/v1/organizations/"+w.orgA, w.memberA, nil)
	sc.do(200, "PATCH", "/v1/organizations/"+w.orgA, admin, map[string]any{"notify_groups": true})
	user := func(email, role, org string) (string, string) {
		body := map[string]any{"email": email, "name": role + " " + suffix, "role": role}
		if org != "" {
			body["organization_id"] = org
		} else {
			body["office"] = "tokyo"
		}
		id := sc.do(201, "POST", "/v1/users", admin, body).str("id")
		return id, sc.do(201, "POST", "/v1/users/"+id+"/tokens", admin, nil).str("token")
	}
	_, mgr := user("mgr-"+suffix+"@vendor.example", "support_manager", "")
	_, exec := user("exec-"+suffix+"@vendor.example", "executive", "")
	_, oa := user("oa-"+suffix+"@acme.example", "org_admin", w.orgA)
	follower, _ := user("f-"+suffix+"@acme.example", "member", w.orgA)
	sc.do(200, "GET", "/v1/staff", w.engineer, nil)
	sc.do(200, "GET", "/v1/organizations/"+w.orgA+"/users", admin, nil)
	sc.do(200, "POST", "/v1/users/"+follower+"/deactivate", admin, nil)
	sc.do(200, "POST", "/v1/users/"+follower+"/reactivate", admin, nil)
	sc.do(204, "PUT", "/v1/users/"+follower+"/password", admin, map[string]any{"password": "correct horse battery"})
	group := sc.do(201, "POST", "/v1/groups", oa, map[string]any{"name": "ops " + suffix, "description": "night shift"}).str("id")
	sc.do(200, "GET", "/v1/groups", oa, nil)
	sc.do(200, "PUT", "/v1/groups/"+group+"/members/"+w.memberAID, oa, nil)
	sc.do(200, "GET", "/v1/groups/"+group, oa, nil)

	// Contracts.
	base := sc.do(201, "POST", "/v1/organizations/"+orgC+"/entitlements", admin, map[string]any{"product": "endpoint", "tier": "premium",
		"starts_at": now.AddDate(0, -1, 0), "ends_at": now.AddDate(1, 0, 0), "serial_number": "SN-" + orgC[:8]})
	addOn := sc.do(201, "POST", "/v1/organizations/"+orgC+"/entitlements", admin, map[string]any{"product": "mail-security", "tier": "premium",
		"starts_at": now.AddDate(0, -11, 0), "ends_at": now.AddDate(0, 1, 0)}).str("id")
	sc.do(200, "GET", "/v1/organizations/"+orgC+"/entitlements", admin, nil)
	sc.do(201, "POST", "/v1/entitlements/"+addOn+"/extensions", mgr, map[string]any{"until": now.AddDate(0, 2, 0), "reason": "PO in approval"})
	sc.do(200, "POST", "/v1/organizations/"+orgC+"/entitlements/co-term", mgr, map[string]any{"entitlement_ids": []string{base.str("id"), addOn},
		"ends_at": base.str("ends_at")})
	end, _ := time.Parse(time.RFC3339Nano, base.str("ends_at"))
	sc.do(201, "POST", "/v1/entitlements/"+base.str("id")+"/renewals", mgr, map[string]any{"starts_at": end, "ends_at": end.AddDate(1, 0, 0)})
	if r := p.call("POST", "/v1/incidents", w.memberB, map[string]any{"product": "no-such-product", "title": "refused " + suffix}); r.Status < 400 {
		t.Fatalf("an intake without a contract was accepted: %s", r.Raw)
	}
	sc.do(200, "GET", "/v1/intake-rejections", w.engineer, nil)

	// SLA catalogue, preview and replay.
	from := time.Now().UTC().Add(-time.Minute)
	sc.do(200, "GET", "/v1/policies", w.memberA, nil)
	sc.do(200, "PUT", "/v1/policies/standard", admin, map[string]any{"cells": []any{map[string]any{"severity": 4, "target": "first_response", "duration": "48h"}}})
	cals := sc.do(200, "GET", "/v1/calendars", w.memberA, nil).Body["items"].([]any)
	if len(cals) == 0 {
		t.Fatal("no calendars")
	}
	cal := cals[0].(map[string]any)
	for _, out := range []string{"version", "business_day", "created_at"} {
		delete(cal, out)
	}
	sc.do(200, "PUT", "/v1/calendars/"+cal["name"].(string), admin, cal)
	sc.do(200, "POST", "/v1/sla/preview", w.engineer, map[string]any{"tier": "platinum", "severity": 2, "accepted_at": now,
		"events": []any{map[string]any{"kind": "acknowledged", "at": now.Add(time.Minute)}}})

	// Incidents through their lifecycle.
	open := func(token string, severity int) reply {
		return sc.do(201, "POST", "/v1/incidents", token, map[string]any{"product": "endpoint", "title": "schema " + suffix,
			"description": "d", "severity": severity})
	}
	inc := open(w.memberA, 2)
	id, ref := inc.str("id"), inc.str("reference")
	path := "/v1/incidents/" + id
	sc.do(200, "GET", "/v1/incidents", w.memberA, nil)
	sc.do(200, "GET", "/v1/incidents/by-reference/"+ref, w.memberA, nil)
	sc.do(200, "GET", path, w.engineer, nil)
	sc.do(200, "GET", path, w.memberA, nil)
	sc.do(200, "GET", "/v1/queue", w.engineer, nil)
	sc.do(200, "POST", path+"/assign", w.engineer, map[string]any{"assignee_id": w.engineerID})
	sc.do(200, "POST", path+"/acknowledge", w.engineer, map[string]any{"message": "on it"})
	sc.do(200, "POST", path+"/updates", w.engineer, map[string]any{"body": "looking", "public": true})
	sc.do(200, "POST", path+"/wait", w.engineer, map[string]any{"message": "send logs"})
	sc.do(200, "POST", path+"/updates", w.memberA, map[string]any{"body": "logs attached"})
	sc.do(201, "POST", path+"/escalation-requests", w.memberA, map[string]any{"level": 2, "reason": "board asks"})
	sc.do(200, "POST", path+"/remediation", mgr, map[string]any{"plan": "hotfix", "resolve_by": now.Add(72 * time.Hour)})
	sc.do(200, "PATCH", path, w.engineer, map[string]any{"scope": "environment", "reason": "custom kernel"})
	sc.do(200, "PUT", path+"/followers/"+follower, w.memberA, nil)
	sc.do(200, "GET", path+"/followers", w.memberA, nil)
	sc.check("POST", path+"/attachments", upload(t, p, w.memberA, id, "notes.txt", "hello"))
	atts := sc.do(200, "GET", path+"/attachments", w.memberA, nil).Body["items"].([]any)
	if len(atts) == 0 {
		t.Fatal("no attachment listed")
	}
	sc.do(200, "GET", path+"/attachments/"+atts[0].(map[string]any)["id"].(string), w.memberA, nil)
	sc.do(200, "POST", path+"/resolve", w.engineer, map[string]any{"resolution": "hotfix applied"})
	sc.do(200, "POST", path+"/reopen", w.memberA, map[string]any{"reason": "it came back"})
	sc.do(200, "POST", path+"/resolve", w.engineer, map[string]any{"resolution": "fixed for good"})
	sc.do(200, "POST", path+"/confirm", w.memberA, map[string]any{"message": "agreed"})
	sc.do(200, "GET", path+"/timeline", w.engineer, nil)
	sc.do(200, "GET", path+"/timeline", w.memberA, nil)
	for _, verb := range []string{"approve", "reject"} {
		other := open(w.memberA, 3).str("id")
		req := sc.do(201, "POST", "/v1/incidents/"+other+"/reclassification-requests", w.memberA, map[string]any{"reason": "worse"})
		reqID := req.Body["request"].(map[string]any)["id"].(string)
		sc.do(200, "POST", "/v1/reclassification-requests/"+reqID+"/"+verb, mgr, map[string]any{"reason": "decided"})
	}
	open(w.memberB, 3)
	sc.do(200, "POST", "/v1/queue/claim", w.engineer, map[string]any{"tier": "standard"})
	acked := false
	for _, token := range []string{exec, mgr} {
		for _, raw := range sc.do(200, "GET", "/v1/escalations", token, nil).Body["items"].([]any) {
			if e := raw.(map[string]any); !acked && e["incident_id"] == id {
				sc.do(200, "POST", "/v1/escalations/"+e["id"].(string)+"/acknowledge", token, nil)
				acked = true
			}
		}
	}
	to := time.Now().UTC().Add(time.Minute)
	sc.do(200, "POST", "/v1/sla/replay", admin, map[string]any{"from": from, "to": to})
	loc := sc.do(202, "POST", "/v1/sla/replay", admin, map[string]any{"from": from, "to": to, "background": true}).Header.Get("Location")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r := sc.do(200, "GET", loc, admin, nil); r.str("state") != "running" || time.Now().After(deadline) {
			break
		}
	}

	// Reports, notifications, webhooks, mail.
	sc.do(200, "GET", "/v1/credits?organization_id="+w.orgA, w.engineer, nil)
	sc.do(200, "GET", "/v1/reports/sla", w.engineer, nil)
	if ns := sc.do(200, "GET", "/v1/notifications", w.memberA, nil).Body["items"].([]any); len(ns) > 0 {
		sc.do(204, "POST", "/v1/notifications/"+ns[0].(map[string]any)["id"].(string)+"/read", w.memberA, nil)
	}
	sc.do(201, "POST", "/v1/webhooks", oa, map[string]any{"url": "https://hooks.acme.example/supportd", "events": []string{"incident_resolved"}})
	sc.do(200, "GET", "/v1/webhooks", oa, nil)
	mb := sc.do(201, "POST", "/v1/mailboxes", admin, map[string]any{"name": "support " + suffix, "imap_host": "imap.invalid",
		"imap_port": 993, "tls_mode": "tls", "username": suffix, "secret": "s3cret", "default_product": "endpoint",
		"addresses": []string{"support-" + suffix + "@vendor.example"}, "after_import": "seen", "active": false}).str("id")
	t.Cleanup(func() { p.call("DELETE", "/v1/mailboxes/"+mb, admin, nil) })
	sc.do(200, "GET", "/v1/mailboxes", admin, nil)
	sc.do(200, "GET", "/v1/mailboxes/"+mb, admin, nil)
	sc.do(200, "PATCH", "/v1/mailboxes/"+mb, admin, map[string]any{"folder": "Support"})
	sc.do(200, "GET", "/v1/inbound-messages", w.engineer, nil)
	sc.do(200, "GET", "/v1/mail/undeliverable", w.engineer, nil)

	// Every route with a JSON answer was exercised, but for those that need a fixture this test
	// does not build; each is named with where it is covered.
	skip := map[string]string{
		"GET /metrics":      "Prometheus text, not JSON",
		"GET /openapi.json": "the document itself",
		"POST /v1/inbound-messages/{id}/reprocess": "needs a failed inbound message from a mail server (mail e2e tests)",
	}
	if !acked {
		skip["POST /v1/escalations/{id}/acknowledge"] = "no escalation reached the executive or the manager"
		t.Errorf("the escalation request reached nobody: POST /v1/escalations/{id}/acknowledge not exercised")
	}
	var missing []string
	for p, item := range sc.paths {
		for m := range item.(map[string]any) {
			key := strings.ToUpper(m) + " " + p
			if m == "delete" || sc.seen[key] || skip[key] != "" {
				continue
			}
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes not exercised (add them, or to the skip list with a reason):\n  %s", strings.Join(missing, "\n  "))
	}
}

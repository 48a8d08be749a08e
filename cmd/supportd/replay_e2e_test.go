package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReplayAndCoTermThroughTheAPI drives issue 14's replay and co-terming routes on a running
// supportd: roles, strict decoding, inline and background replays with CSV, and a co-term of an
// add-on to its base contract's end.
func TestReplayAndCoTermThroughTheAPI(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("rpl-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	from := time.Now().UTC().Add(-time.Minute)
	for i := 0; i < 2; i++ {
		p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "replayed", "description": "d", "severity": 2})
	}
	to := time.Now().UTC().Add(time.Minute)
	// The draft gives platinum severity 2 one second for the first response: both incidents,
	// still unanswered within the recorded 2 h, are breached under it.
	body := map[string]any{"from": from, "to": to, "tier": "platinum", "organization_id": w.orgA,
		"policy": map[string]any{"cells": []any{map[string]any{"severity": 2, "target": "first_response", "seconds": 1}}}}
	time.Sleep(1100 * time.Millisecond)

	if r := p.call("POST", "/v1/sla/replay", w.engineer, body); r.Status != 403 {
		t.Fatalf("engineer replays: %d %s", r.Status, r.Raw)
	}
	if r := p.call("POST", "/v1/sla/replay", adminToken, map[string]any{"from": from, "to": to, "tierr": "platinum"}); r.Status != 422 || r.errCode() != "unknown_field" {
		t.Fatalf("unknown field: %d %s", r.Status, r.Raw)
	}
	r := p.must(200, "POST", "/v1/sla/replay", adminToken, body)
	res, _ := r.Body["result"].(map[string]any)
	if r.str("state") != "done" || res == nil || res["incidents"] != float64(2) || res["changed"] != float64(2) {
		t.Fatalf("inline replay: %s", r.Raw)
	}
	ch := res["changes"].([]any)[0].(map[string]any)["targets"].([]any)[0].(map[string]any)
	if ch["target"] != "first_response" || ch["recorded_outcome"] != "pending" || ch["replayed_outcome"] != "breached" {
		t.Fatalf("change: %v", ch)
	}

	body["background"] = true
	r = p.must(202, "POST", "/v1/sla/replay", adminToken, body)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/v1/sla/replays/") {
		t.Fatalf("Location %q", loc)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		r = p.must(200, "GET", loc, adminToken, nil)
		if r.str("state") == "done" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.str("state") != "done" {
		t.Fatalf("background replay: %s", r.Raw)
	}
	csv := p.must(200, "GET", loc+"?format=csv", adminToken, nil)
	if !strings.Contains(string(csv.Raw), "platinum,2,2,2,") {
		t.Fatalf("CSV: %s", csv.Raw)
	}
	if r := p.call("GET", loc, w.engineer, nil); r.Status != 403 {
		t.Fatalf("engineer reads a replay: %d", r.Status)
	}

	// Co-terming: orgB's base contract ends in a year; an add-on ends in a month.
	items := p.must(200, "GET", "/v1/organizations/"+w.orgB+"/entitlements", adminToken, nil).Body["items"].([]any)
	base := items[0].(map[string]any)
	baseEnd := base["ends_at"].(string)
	now := time.Now().UTC()
	if r := p.call("POST", "/v1/organizations/"+w.orgB+"/entitlements", adminToken, map[string]any{"product": "mail-security", "tier": "standard",
		"starts_at": now, "ends_at": now.AddDate(0, 6, 0)}); r.Status != 422 || r.errField() != "ends_at" {
		t.Fatalf("a lone six-month contract: %d %s", r.Status, r.Raw)
	}
	addOn := p.must(201, "POST", "/v1/organizations/"+w.orgB+"/entitlements", adminToken, map[string]any{"product": "mail-security", "tier": "standard",
		"starts_at": now.AddDate(0, -11, 0), "ends_at": now.AddDate(0, 1, 0)}).str("id")
	ids := []string{base["id"].(string), addOn}
	if r := p.call("POST", "/v1/organizations/"+w.orgB+"/entitlements/co-term", w.engineer, map[string]any{"entitlement_ids": ids, "ends_at": baseEnd}); r.Status != 403 {
		t.Fatalf("engineer co-terms: %d", r.Status)
	}
	r = p.must(200, "POST", "/v1/organizations/"+w.orgB+"/entitlements/co-term", adminToken, map[string]any{"entitlement_ids": ids, "ends_at": baseEnd})
	periods := r.Body["periods"].([]any)
	b, a := periods[0].(map[string]any), periods[1].(map[string]any)
	if b["unchanged"] != true || a["unchanged"] != false || a["shorter_than_year"] != true || a["ends_at"] != baseEnd ||
		a["starts_at"] != a["previous_ends_at"] || a["days"].(float64) < 300 {
		t.Fatalf("co-term periods: %s", r.Raw)
	}
	for _, it := range p.must(200, "GET", "/v1/organizations/"+w.orgB+"/entitlements", adminToken, nil).Body["items"].([]any) {
		if e := it.(map[string]any); e["id"] == addOn && e["ends_at"] != baseEnd {
			t.Fatalf("add-on after co-terming: %v", e)
		}
	}
}

package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

// TestConfirmResolutionOverHTTP: POST /v1/incidents/{id}/confirm is the customer's; staff get a
// 403, another organisation the 404 of a missing incident, an unresolved incident a 409. The
// confirmed incident stays resolved with resolution_confirmed_at, the customer can no longer
// reopen it (409 resolution_confirmed), staff can, and the timeline shows the confirmation.
func TestConfirmResolutionOverHTTP(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t))
	w := setup(t, p, fmt.Sprintf("confirm-%d", time.Now().UnixNano()))
	id := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "t", "description": "d"}).str("id")
	path := "/v1/incidents/" + id
	if r := p.call("POST", path+"/confirm", w.memberA, nil); r.Status != 409 || r.errCode() != "not_resolved" {
		t.Fatalf("confirming an open incident: %d %s", r.Status, r.Raw)
	}
	p.must(200, "POST", path+"/resolve", w.engineer, map[string]any{"resolution": "patched"})
	for _, c := range []struct {
		who, token string
		status     int
	}{{"engineer", w.engineer, 403}, {"admin", adminToken, 403}, {"another organisation", w.memberB, 404}} {
		if r := p.call("POST", path+"/confirm", c.token, map[string]any{"message": "x"}); r.Status != c.status {
			t.Errorf("%s confirms: %d %s, want %d", c.who, r.Status, r.Raw, c.status)
		}
	}
	if r := p.call("POST", path+"/confirm", w.memberA, map[string]any{"note": "x"}); r.Status != 422 {
		t.Errorf("an unknown field: %d %s", r.Status, r.Raw)
	}
	inc := p.must(200, "POST", path+"/confirm", w.memberA, map[string]any{"message": "works now"})
	if inc.Body["status"] != "resolved" || inc.Body["resolution_confirmed_at"] == nil {
		t.Fatalf("confirmed incident: %s", inc.Raw)
	}
	if r := p.call("POST", path+"/confirm", w.memberA, nil); r.Status != 409 || r.errCode() != "already_confirmed" {
		t.Errorf("confirming twice: %d %s", r.Status, r.Raw)
	}
	if r := p.call("POST", path+"/reopen", w.memberA, map[string]any{"reason": "again"}); r.Status != 409 || r.errCode() != "resolution_confirmed" {
		t.Errorf("the customer reopens a confirmed incident: %d %s", r.Status, r.Raw)
	}
	events := p.must(200, "GET", path+"/timeline", w.memberA, nil).Body["events"].([]any)
	last := events[len(events)-1].(map[string]any)
	if last["kind"] != "resolution_confirmed" || last["data"].(map[string]any)["message"] != "works now" {
		t.Errorf("the timeline ends with %v", last)
	}
	back := p.must(200, "POST", path+"/reopen", w.engineer, map[string]any{"reason": "regressed"})
	if back.Body["status"] == "resolved" || back.Body["resolution_confirmed_at"] != nil {
		t.Errorf("staff reopen: %s", back.Raw)
	}
}

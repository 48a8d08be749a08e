package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

// TestExecutiveRequestBreachesNothing: a customer asks for the executive on a platinum severity 2
// (executive "on request", support manager at 72 h). Nothing is breached: the support-manager
// target is escalated because a higher level was reached first, the executive target because the
// customer asked, each with escalated_at; the SLA report counts one level-2 escalation by request
// and no level-1 escalation that a support manager received. The single read explains each
// target to staff; lists and customers' answers leave explanations out.
func TestExecutiveRequestBreachesNothing(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t))
	w := setup(t, p, fmt.Sprintf("exq-%d", time.Now().UnixNano()))
	from := time.Now().Add(-time.Minute).UTC()
	id := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "t", "description": "d", "severity": 2}).str("id")
	asked := p.must(201, "POST", "/v1/incidents/"+id+"/escalation-requests", w.memberA, map[string]any{"level": 2, "reason": "board meeting"})
	noExplanation(t, asked, "the customer's answer")

	got := p.must(200, "GET", "/v1/incidents/"+id, w.engineer, nil)
	mgr, exec := targetOf(t, got, "support_manager"), targetOf(t, got, "executive")
	if mgr["state"] != "escalated" || mgr["cause"] != "higher_level" || mgr["escalated_at"] == nil || mgr["breached_at"] != nil {
		t.Fatalf("support manager target: %v", mgr)
	}
	if due := parseTime(t, mgr["due_at"]); due.Before(time.Now().Add(71 * time.Hour)) {
		t.Fatalf("the manager's deadline moved: %v", due)
	}
	if exec["state"] != "escalated" || exec["cause"] != "request" || exec["escalated_at"] == nil || exec["breached_at"] != nil {
		t.Fatalf("executive target: %v", exec)
	}
	for _, x := range got.Body["sla"].(map[string]any)["targets"].([]any) {
		tg := x.(map[string]any)
		if tg["state"] == "breached" {
			t.Fatalf("%s breached: %s", tg["target"], got.Raw)
		}
		if lines, _ := tg["explanation"].([]any); len(lines) == 0 {
			t.Fatalf("%s has no explanation on the single read: %s", tg["target"], got.Raw)
		}
	}
	if l := fmt.Sprint(mgr["explanation"]); !strings.Contains(l, "escalated (a higher level was reached first)") {
		t.Fatalf("manager explanation: %s", l)
	}
	noExplanation(t, p.must(200, "GET", "/v1/incidents/"+id, w.memberA, nil), "the customer's read")
	for _, inc := range p.must(200, "GET", "/v1/incidents", w.engineer, nil).Body["items"].([]any) {
		for _, x := range inc.(map[string]any)["sla"].(map[string]any)["targets"].([]any) {
			if _, ok := x.(map[string]any)["explanation"]; ok {
				t.Fatalf("the list carries explanations")
			}
		}
	}
	tl := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", w.engineer, nil)
	if strings.Contains(string(tl.Raw), "sla_breached") || strings.Contains(string(tl.Raw), `"breached"`) {
		t.Fatalf("timeline records a breach: %s", tl.Raw)
	}

	q := url.Values{"from": {from.Format(time.RFC3339)}, "to": {time.Now().Add(time.Minute).UTC().Format(time.RFC3339)}}
	rep := p.must(200, "GET", "/v1/reports/sla?"+q.Encode(), w.engineer, nil)
	var row map[string]any
	for _, x := range rep.Body["rows"].([]any) {
		if r := x.(map[string]any); r["tier"] == "platinum" && r["severity"].(float64) == 2 {
			row = r
		}
	}
	want := map[string]float64{"incidents": 1, "escalations_level_1": 0, "escalations_level_1_deadline": 0, "escalations_level_1_request": 0,
		"escalations_level_1_higher_level": 1, "escalations_level_2": 1, "escalations_level_2_request": 1, "escalations_level_2_deadline": 0}
	for k, v := range want {
		if row == nil || row[k] != v {
			t.Fatalf("report %s = %v, want %v: %s", k, row[k], v, rep.Raw)
		}
	}
}

func noExplanation(t *testing.T, r reply, what string) {
	t.Helper()
	inc := r.Body
	if sub, ok := inc["incident"].(map[string]any); ok {
		inc = sub
	}
	for _, x := range inc["sla"].(map[string]any)["targets"].([]any) {
		if _, ok := x.(map[string]any)["explanation"]; ok {
			t.Fatalf("%s carries SLA explanations (staff-only): %s", what, r.Raw)
		}
	}
}

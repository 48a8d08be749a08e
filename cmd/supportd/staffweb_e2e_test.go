package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

// TestTimelineAuthorsAndEscalationAcknowledgement (issue 13): timeline entries name their author
// ({id, name}; null for the engine's own entries), and acknowledging an escalation puts one
// staff-only escalation_acknowledged entry, with who, on the incident's timeline.
func TestTimelineAuthorsAndEscalationAcknowledgement(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t))
	suffix := fmt.Sprintf("ack-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	mgrID, mgr := mkUser(t, p, "m-"+suffix+"@vendor.example", "support_manager", "")
	execID, exec := mkUser(t, p, "x-"+suffix+"@vendor.example", "executive", "")
	id := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "t", "description": "d", "severity": 2}).str("id")
	p.must(201, "POST", "/v1/incidents/"+id+"/escalation-requests", w.memberA, map[string]any{"level": 2, "reason": "board meeting"})

	acked := 0
	for who, tok := range map[string]string{mgrID: mgr, execID: exec} {
		items := p.must(200, "GET", "/v1/escalations", tok, nil).Body["items"].([]any)
		for _, x := range items {
			e := x.(map[string]any)
			if e["incident_id"] != id {
				continue
			}
			for range 2 { // a repeated acknowledgement is recorded once
				p.must(200, "POST", "/v1/escalations/"+e["id"].(string)+"/acknowledge", tok, nil)
			}
			acked++
			tl := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", w.engineer, nil)
			n := 0
			for _, y := range tl.Body["events"].([]any) {
				ev := y.(map[string]any)
				if ev["kind"] != "escalation_acknowledged" {
					continue
				}
				if a, _ := ev["author"].(map[string]any); a == nil || a["id"] != who {
					continue
				}
				n++
			}
			if n != 1 {
				t.Fatalf("%d acknowledgements by %s on the timeline: %s", n, who, tl.Raw)
			}
		}
	}
	if acked == 0 {
		t.Fatal("no escalation reached the manager or the executive")
	}
	tl := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", w.memberA, nil)
	if strings.Contains(string(tl.Raw), "escalation_acknowledged") {
		t.Fatalf("the customer reads the acknowledgement: %s", tl.Raw)
	}
	opened := tl.Body["events"].([]any)[0].(map[string]any)
	if a, _ := opened["author"].(map[string]any); a == nil || a["id"] != w.memberAID || a["name"] != "a-"+suffix+"@acme.example" {
		t.Fatalf("the opening entry's author: %v", opened["author"])
	}
}

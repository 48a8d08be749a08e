package escalation_test

import (
	"testing"
	"time"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/tickets"
)

// TestOneStepIsToldOnce: a reclassification granted after 30 days writes the request, its
// approval and the severity change in one step; a follower hears of it once, as the severity
// change with its reason.
func TestOneStepIsToldOnce(t *testing.T) {
	f := newTellFixture(t, "premium")
	sev := 3
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "slow", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(f.ctx, f.opener, inc, f.follower.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30*24*time.Hour + time.Minute)
	if _, got, err := f.svc.RequestReclassification(f.ctx, f.opener, inc.ID, "still slow"); err != nil || got.Severity != 2 {
		t.Fatalf("reclassification: severity %d, %v", got.Severity, err)
	}
	inbox := f.told(t, inc.ID, "inbox")
	n := 0
	for kind, to := range inbox {
		for _, id := range to {
			if id == f.follower.ID {
				n++
				if kind != escalation.KindIncidentSeverityChanged {
					t.Errorf("follower told %s", kind)
				}
			}
		}
	}
	if n != 1 {
		t.Errorf("follower told %d times, want once", n)
	}
}

package escalation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/tickets"
)

// TestDeadlineEscalationIsTold: a platinum severity 1 incident passes its first-response and
// support-manager deadlines in one batch of fired timers. The customers hear that it was
// escalated to level 1 because the time passed, once even when the timer is delivered twice;
// the breach stays with staff.
func TestDeadlineEscalationIsTold(t *testing.T) {
	f := newTellFixture(t, "platinum")
	sev := 1
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(f.ctx, f.opener, inc, f.follower.ID); err != nil {
		t.Fatal(err)
	}
	f.send(t) // the receipt first: a sweep sends in parallel
	var timers []uuid.UUID
	if err := f.db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND target IN ('first_response', 'support_manager') AND state = 'pending' AND warning = 0", inc.ID).
		Scan(&timers).Error; err != nil || len(timers) != 2 {
		t.Fatalf("timers %v %v", timers, err)
	}
	f.clock.Advance(2*time.Hour + time.Second)
	if _, err := f.svc.FireTimers(f.ctx, append(timers, timers...)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.FireTimers(f.ctx, timers); err != nil {
		t.Fatal(err)
	}
	f.send(t)
	inbox := f.told(t, inc.ID, "inbox")
	if got := sorted(inbox[escalation.KindIncidentEscalated]); len(got) != 3 { // opener, follower, groupmate
		t.Fatalf("escalation told to %v, want opener, follower and groupmate once each", names(f, got))
	}
	for _, kind := range []string{escalation.KindBreach, escalation.KindEscalation} {
		for _, id := range inbox[kind] {
			if id == f.opener.ID || id == f.follower.ID || id == f.groupmate.ID {
				t.Errorf("%s note reached customer %v", kind, names(f, []uuid.UUID{id}))
			}
		}
	}
	mails := f.mailTo(t, f.opener.Email)
	if len(mails) != 2 { // the receipt and the escalation
		t.Fatalf("opener got %d mails, want 2", len(mails))
	}
	if text := firstText(t, mails[1]); !strings.Contains(text, "escalated to level 1 (support manager)") || !strings.Contains(text, "the agreed time passed") {
		t.Errorf("escalation mail reads %q", text)
	}
	if got := f.hooks.kinds(); strings.Join(got, ",") != "incident_received,incident_escalated" {
		t.Errorf("webhook kinds %v", got)
	}
}

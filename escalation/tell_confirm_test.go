package escalation_test

import (
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/tickets"
)

// A customer's confirmation of a resolution is told to the assignee (a staff note in their
// inbox and by e-mail) and to the incident's other customers as incident_resolution_confirmed,
// in their language, with what the customer added; never to the customer who confirmed, and the
// staff note never to a customer.
func TestResolutionConfirmedIsTold(t *testing.T) {
	f := newTellFixture(t, "platinum")
	ctx := f.ctx
	inc, _, err := f.svc.Open(ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "Relay slow", Description: "d"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(ctx, f.opener, inc, f.follower.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Assign(ctx, f.admin, inc.ID, f.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Resolve(ctx, f.engineer, inc.ID, "Tuned the queue."); err != nil {
		t.Fatal(err)
	}
	f.send(t)
	f.clock.Advance(time.Minute)
	if _, err := f.svc.ConfirmResolution(ctx, f.opener, inc.ID, "Mail flows again, thanks."); err != nil {
		t.Fatal(err)
	}
	f.send(t)

	inbox := f.told(t, inc.ID, "inbox")
	if got, want := sorted(inbox[escalation.KindIncidentResolutionConfirmed]), sorted([]uuid.UUID{f.follower.ID, f.groupmate.ID}); !slices.Equal(got, want) {
		t.Errorf("customers told %v, want %v", names(f, got), names(f, want))
	}
	if got := inbox[escalation.KindResolutionConfirmed]; !slices.Equal(got, []uuid.UUID{f.engineer.ID}) {
		t.Errorf("staff note to %v, want the assignee", names(f, got))
	}
	if got := f.told(t, inc.ID, "email")[escalation.KindResolutionConfirmed]; !slices.Equal(got, []uuid.UUID{f.engineer.ID}) {
		t.Errorf("staff e-mail to %v, want the assignee", names(f, got))
	}
	mails := f.mailTo(t, f.follower.Email)
	last := mails[len(mails)-1]
	if s, err := new(mime.WordDecoder).DecodeHeader(last.Header.Get("Subject")); err != nil || !strings.Contains(s, "解決が確認されました") || !strings.Contains(s, inc.Reference) {
		t.Errorf("the follower's subject: %q", s)
	}
	if text := firstText(t, last); !strings.Contains(text, "Mail flows again, thanks.") || !strings.Contains(text, "Opener Ono") {
		t.Errorf("the follower reads %q, want the opener's words and name", text)
	}
	for _, m := range f.mailTo(t, f.opener.Email) {
		if s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); strings.Contains(s, "confirmed") {
			t.Errorf("the opener is told of their own confirmation: %q", s)
		}
	}
	if got := f.hooks.kinds(); got[len(got)-1] != escalation.KindIncidentResolutionConfirmed {
		t.Errorf("webhook kinds %v end without %s", got, escalation.KindIncidentResolutionConfirmed)
	}
}

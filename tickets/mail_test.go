package tickets_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/supportd/supportd/tickets"
)

// The reopening window of a mail reply: an incident resolved less than the window ago reopens;
// one resolved exactly the window ago or longer does not; a zero window never reopens, not even
// a reply in the very instant of resolving (the clock stands still here).
func TestMailReplyReopenWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// On a whole microsecond, as PostgreSQL stores it: "the same instant" is then exactly zero.
	f.clock.Set(f.clock.Now().Truncate(time.Microsecond))
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "slow"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Resolve(ctx, f.engineer, inc.ID, "tuned"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.MailReply(ctx, f.memberA, inc.ID, "still slow", "window-0", 0, 0); !errors.Is(err, tickets.ErrReopenWindowPassed) {
		t.Fatalf("zero window, same instant: %v, want ErrReopenWindowPassed", err)
	}
	f.clock.Advance(time.Hour - time.Microsecond)
	got, outcome, err := f.svc.MailReply(ctx, f.memberA, inc.ID, "still slow", "window-1h", 0, time.Hour)
	if err != nil || outcome != tickets.MailReopened || got.Status == tickets.StatusResolved {
		t.Fatalf("inside a one-hour window: %s %s %v", outcome, got.Status, err)
	}
	if _, err := f.svc.Resolve(ctx, f.engineer, inc.ID, "tuned again"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if _, _, err := f.svc.MailReply(ctx, f.memberA, inc.ID, "slow once more", "window-edge", 0, time.Hour); !errors.Is(err, tickets.ErrReopenWindowPassed) {
		t.Fatalf("exactly the window after resolving: %v, want ErrReopenWindowPassed", err)
	}
}

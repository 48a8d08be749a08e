package tickets_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

// A customer confirms a resolution: the incident stays resolved and records when; staff and
// unresolved or already confirmed incidents are refused; from then on the customer cannot
// reopen it and a mail reply does not (it would open a follow-up), while staff still may,
// which clears the confirmation so that the next resolution can be confirmed again.
func TestConfirmResolution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "down"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmResolution(ctx, f.memberA, inc.ID, ""); !apperr.Is(err, "not_resolved") {
		t.Fatalf("confirming an open incident: %v", err)
	}
	if _, err := f.svc.Resolve(ctx, f.engineer, inc.ID, "patched"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmResolution(ctx, f.engineer, inc.ID, ""); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("staff confirm: %v", err)
	}
	if _, err := f.svc.ConfirmResolution(ctx, f.memberB, inc.ID, ""); apperr.KindOf(err) != apperr.NotFound {
		t.Fatalf("another organisation confirms: %v", err)
	}
	f.clock.Advance(time.Minute)
	got, err := f.svc.ConfirmResolution(ctx, f.memberA, inc.ID, "  works now  ")
	if err != nil {
		t.Fatal(err)
	}
	want := f.clock.Now().Truncate(time.Microsecond)
	if got.Status != tickets.StatusResolved || got.ResolutionConfirmedAt == nil || !got.ResolutionConfirmedAt.Equal(want) {
		t.Fatalf("after confirming: status %s, confirmed at %v; want resolved at %v", got.Status, got.ResolutionConfirmedAt, want)
	}
	if read, err := f.svc.Get(ctx, f.memberA, inc.ID); err != nil || read.ResolutionConfirmedAt == nil || !read.ResolutionConfirmedAt.Equal(want) {
		t.Fatalf("read back: %+v %v", read.ResolutionConfirmedAt, err)
	}
	evs, err := f.svc.Timeline(ctx, f.memberA, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != tickets.KindResolutionConfirmed || last.Data["message"] != "works now" || *last.ActorID != f.memberA.ID {
		t.Fatalf("the customer reads %+v", last)
	}
	if _, err := f.svc.ConfirmResolution(ctx, f.memberA, inc.ID, ""); !apperr.Is(err, "already_confirmed") {
		t.Fatalf("confirming twice: %v", err)
	}
	if _, err := f.svc.Reopen(ctx, f.memberA, inc.ID, "again"); !apperr.Is(err, "resolution_confirmed") {
		t.Fatalf("the customer reopens a confirmed incident: %v", err)
	}
	if _, _, err := f.svc.MailReply(ctx, f.memberA, inc.ID, "it is back", "confirm-test-key", 0, 14*24*time.Hour); !errors.Is(err, tickets.ErrReopenWindowPassed) {
		t.Fatalf("a mail reply to a confirmed incident: %v, want ErrReopenWindowPassed", err)
	}
	back, err := f.svc.Reopen(ctx, f.engineer, inc.ID, "the fix regressed")
	if err != nil || back.Status == tickets.StatusResolved || back.ResolutionConfirmedAt != nil {
		t.Fatalf("staff reopen: %+v %v", back, err)
	}
	if _, err := f.svc.Resolve(ctx, f.engineer, inc.ID, "patched again"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ConfirmResolution(ctx, f.memberA, inc.ID, ""); err != nil {
		t.Fatalf("confirming the next resolution: %v", err)
	}
}

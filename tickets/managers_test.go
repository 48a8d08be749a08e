package tickets_test

import (
	"context"
	"github.com/supportd/supportd/tickets/ticketstest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// TestEscalationAcknowledgementOnTimeline: a manager's acknowledgement is on the timeline once,
// with who; staff read it, the customer does not.
func TestEscalationAcknowledgementOnTimeline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "down", Description: "d", Severity: sev(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := f.acc.CreateUser(ctx, f.admin, accounts.NewUser{Email: "mgr-" + uuid.NewString() + "@x.example", Name: "Mgr", Role: accounts.SupportManager, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	escID := uuid.New()
	for range 2 {
		if err := f.svc.NoteEscalationAcknowledged(ctx, mgr, inc.ID, escID, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.NoteEscalationAcknowledged(ctx, f.memberA, inc.ID, escID, 1); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("a customer acknowledged an escalation: %v", err)
	}
	count := func(u accounts.User) int {
		evs, err := f.svc.Timeline(ctx, u, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Kind == tickets.KindEscalationAcknowledged {
				if e.ActorID == nil || *e.ActorID != mgr.ID || e.Data["escalation_id"] != escID.String() {
					t.Fatalf("acknowledgement entry %+v", e)
				}
				n++
			}
		}
		return n
	}
	if n := count(f.engineer); n != 1 {
		t.Fatalf("staff see %d acknowledgements, want exactly 1", n)
	}
	if n := count(f.memberA); n != 0 {
		t.Fatalf("the customer sees %d acknowledgements", n)
	}
}

// TestManagerWorklists: pending reclassification requests and formal escalation requests that
// wait for a remediation plan are listed for managers until answered, and refused to engineers.
func TestManagerWorklists(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Users: f.acc, Clock: f.clock})
	mgr, err := f.acc.CreateUser(ctx, f.admin, accounts.NewUser{Email: "mgr-" + uuid.NewString() + "@x.example", Name: "Mgr", Role: accounts.SupportManager, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	slow, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "slow", Description: "d", Severity: sev(3)}, "")
	if err != nil {
		t.Fatal(err)
	}
	down, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "p", Title: "degraded", Description: "d", Severity: sev(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(73 * time.Hour)
	req, _, err := svc.RequestReclassification(ctx, f.memberA, slow.ID, "worse")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RequestEscalation(ctx, f.memberA, down.ID, 1, "three days"); err != nil {
		t.Fatal(err)
	}
	pendingHas := func() bool {
		list, err := svc.PendingReclassifications(ctx, mgr, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range list {
			if p.ID == req.ID {
				return p.Reference == slow.Reference && p.Severity == 3
			}
		}
		return false
	}
	awaitingHas := func() bool {
		list, err := svc.AwaitingRemediation(ctx, mgr, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range list {
			if i.ID == down.ID {
				return true
			}
			if i.ID == slow.ID {
				t.Fatal("an incident without a formal request waits for a plan")
			}
		}
		return false
	}
	if !pendingHas() || !awaitingHas() {
		t.Fatalf("pending request listed %v, formal request listed %v", pendingHas(), awaitingHas())
	}
	if _, err := svc.PendingReclassifications(ctx, f.engineer, 10); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("engineer reads reclassification requests: %v", err)
	}
	if _, err := svc.AwaitingRemediation(ctx, f.engineer, 10); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("engineer reads remediation requests: %v", err)
	}
	if _, _, err := svc.DecideReclassification(ctx, mgr, req.ID, false, "not worse"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AgreeRemediation(ctx, mgr, down.ID, "patch on Friday", f.clock.Now().Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if pendingHas() || awaitingHas() {
		t.Fatal("answered requests are still listed")
	}
}

package tickets_test

import (
	"context"
	"testing"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

// TestCustomersChooseOnlyCustomerChannels: the channel drives the e-mail severity rule and the
// handoff report, so a customer may not claim phone or e-mail; staff record those for them.
func TestCustomersChooseOnlyCustomerChannels(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, ch := range []tickets.Channel{tickets.ChannelPhone, tickets.ChannelEmail} {
		_, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "t", Channel: ch}, "")
		if !apperr.Is(err, "channel_not_allowed") {
			t.Fatalf("member says %s: %v", ch, err)
		}
	}
	for _, ch := range []tickets.Channel{"", tickets.ChannelWeb, tickets.ChannelAPI} {
		if _, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "t", Channel: ch}, ""); err != nil {
			t.Fatalf("member says %q: %v", ch, err)
		}
	}
	org := f.memberA.OrganizationID
	for _, ch := range []tickets.Channel{tickets.ChannelPhone, tickets.ChannelEmail} {
		inc, _, err := f.svc.Open(ctx, f.engineer, tickets.NewIncident{OrganizationID: org, Product: "endpoint", Title: "t", Description: "d", Channel: ch, Severity: sev(1)}, "")
		if err != nil || inc.Channel != ch {
			t.Fatalf("staff record %s: %v %+v", ch, err, inc)
		}
		if want := ch == tickets.ChannelEmail; inc.SeverityConfirmationRequired != want {
			t.Fatalf("%s intake: confirmation required %v", ch, inc.SeverityConfirmationRequired)
		}
	}
	// The mail reader, which saw the mail arrive, opens as the customer.
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "t", Channel: tickets.ChannelEmail, ChannelObserved: true}, "")
	if err != nil || inc.Channel != tickets.ChannelEmail {
		t.Fatalf("observed e-mail intake: %v", err)
	}
}

// TestSeverityAndScopeChangesNeedAReason.
func TestSeverityAndScopeChangesNeedAReason(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inc, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: sev(3)}, "")
	if err != nil {
		t.Fatal(err)
	}
	one, env := 1, tickets.ScopeEnvironment
	for _, c := range []struct {
		severity *int
		scope    *tickets.Scope
		reason   string
	}{{&one, nil, ""}, {nil, &env, ""}, {&one, &env, " \n"}} {
		if _, err := f.svc.Patch(ctx, f.engineer, inc.ID, c.severity, c.scope, c.reason); !apperr.Is(err, "reason_required") {
			t.Fatalf("%+v: %v", c, err)
		}
	}
}

package inbound_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
)

// TestReplyNeverReopens: with MAIL_REOPEN_DAYS=0 a reply to an incident resolved a moment ago
// does not reopen it; it opens a new incident, linked on both timelines, as a reply after the
// window does (TestReplyToResolvedIncident). 0 is the operator's "do not reopen, create new",
// not the 14-day default.
func TestReplyNeverReopens(t *testing.T) {
	r := resolvedByMail(t, "0")
	v, id := r.v, r.id
	m := r.reply("still slow")
	if m.Outcome != "follow_up_opened" || m.IncidentID == nil || *m.IncidentID == id {
		t.Fatalf("a reply just after resolving, never reopen: %+v", m)
	}
	if got, _ := v.e.Incidents.Get(v.ctx, v.admin, id); got.Status != tickets.StatusResolved {
		t.Fatalf("the resolved incident is %s, want it left resolved", got.Status)
	}
	linked := func(on uuid.UUID, kind string, to uuid.UUID) bool {
		for _, e := range v.timeline(on) {
			if e.Kind == kind && e.Data["incident_id"] == to.String() {
				return true
			}
		}
		return false
	}
	if !linked(id, tickets.KindFollowUpOpened, *m.IncidentID) {
		t.Errorf("old timeline %v lacks follow_up_opened to the new incident", kinds(v.timeline(id)))
	}
	if !linked(*m.IncidentID, tickets.KindFollowUpOf, id) {
		t.Errorf("new timeline %v lacks follow_up_of the old incident", kinds(v.timeline(*m.IncidentID)))
	}
}

// resolved is an incident a customer opened by mail and an engineer resolved, in an env whose
// MAIL_REOPEN_DAYS is set.
type resolved struct {
	v   *env
	eng accounts.User
	mb  inbound.Mailbox
	id  uuid.UUID
	ref string
}

// resolvedByMail opens an incident by mail with MAIL_REOPEN_DAYS=days and resolves it.
func resolvedByMail(t *testing.T, days string) resolved {
	t.Helper()
	v := newEnv(t, "MAIL_REOPEN_DAYS", days)
	v.customer("Acme", "alice@acme.example", "active")
	r := resolved{v: v, eng: v.staff("eng@vendor.example", accounts.Engineer), mb: v.mailbox("", "", "")}
	first := v.deliver(mailFrom("alice@acme.example", "Gateway slow", "it is slow"), r.mb)
	r.id = *first.IncidentID
	inc, _ := v.e.Incidents.Get(v.ctx, v.admin, r.id)
	r.ref = inc.Reference
	if _, err := v.e.Incidents.Resolve(v.ctx, r.eng, r.id, "fixed"); err != nil {
		t.Fatal(err)
	}
	return r
}

// reply delivers the customer's answer to the incident's thread.
func (r resolved) reply(body string) inbound.Message {
	return r.v.deliver(mailFrom("alice@acme.example", "Re: ["+r.ref+"] Gateway slow", body), r.mb)
}

package inbound_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
)

// mailFrom composes a plain message as a mail program would.
func mailFrom(from, subject, body string, headers ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@client.example>\r\n",
		from, supportAddr, subject, time.Now().Format(time.RFC1123Z), uuid.NewString())
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", headers[i], headers[i+1])
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
	return []byte(b.String())
}

// deliver stores and processes one message, returning it as stored.
func (v *env) deliver(raw []byte, mb inbound.Mailbox) inbound.Message {
	v.t.Helper()
	id, _, err := v.e.Mail.Receive(v.ctx, raw, inbound.Delivery{Source: "lmtp", MailboxID: &mb.ID, Recipients: []string{supportAddr}})
	if err != nil {
		v.t.Fatal(err)
	}
	if err := v.e.Mail.Process(v.ctx, id); err != nil {
		v.t.Fatal(err)
	}
	m, err := v.e.Mail.GetMessage(v.ctx, v.admin, id)
	if err != nil {
		v.t.Fatal(err)
	}
	return m
}

// TestEmailSeverityRules: a mail is severity 3 unless 4 is asked for; a requested 1 or 2 is kept
// as requested_severity with severity_confirmation_required, and the acknowledgement of receipt
// tells the customer to confirm by phone.
func TestEmailSeverityRules(t *testing.T) {
	v := newEnv(t)
	v.customer("Acme", "alice@acme.example", "active")
	mb := v.mailbox("", "", "")
	cases := []struct {
		subject          string
		sev              int
		requested        *int
		confirm, byPhone bool
	}{
		{"Gateway down, Severity: 1", 3, ptr(1), true, true},
		{"[sev 2] mail delayed", 3, ptr(2), true, true},
		{"Question about the docs, severity 4", 4, nil, false, false},
		{"Something odd", 3, nil, false, false},
	}
	for i, c := range cases {
		m := v.deliver(mailFrom("alice@acme.example", c.subject, "details"), mb)
		inc, err := v.e.Incidents.Get(v.ctx, v.admin, *m.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Channel != tickets.ChannelEmail || inc.Severity != c.sev || inc.SeverityConfirmationRequired != c.confirm ||
			(c.requested == nil) != (inc.RequestedSeverity == nil) || c.requested != nil && *inc.RequestedSeverity != *c.requested {
			t.Errorf("%q: %+v", c.subject, inc)
		}
		sent := v.smtp.Wait(t, i+1, 10*time.Second)
		p, _ := mailmsg.Parse(sent[i].Data, mailmsg.Limits{})
		if strings.Contains(p.Text, "confirmed by phone") != c.byPhone || !strings.Contains(p.Subject, inc.Reference) {
			t.Errorf("%q: receipt %q\n%s", c.subject, p.Subject, p.Text)
		}
	}
}

// TestReplyByMailIsACustomerUpdate: the customer answers the receipt (In-Reply-To its
// Message-ID) while the incident waits on them: the reply is on the timeline, waiting ends and
// the cadence, paused while waiting, runs again — exactly as a reply through the API.
func TestReplyByMailIsACustomerUpdate(t *testing.T) {
	v := newEnv(t)
	v.customer("Acme", "alice@acme.example", "active")
	eng := v.staff("eng@vendor.example", accounts.Engineer)
	if _, err := v.e.Catalog.PutPolicy(v.ctx, v.admin.ID, sla.Tier("premium"), []catalog.Cell{
		{Severity: 3, Target: "update_cadence", Seconds: ptr(3600.0), Clock: "24x7"}}); err != nil {
		t.Fatal(err)
	}
	mb := v.mailbox("", "", "")
	first := v.deliver(mailFrom("alice@acme.example", "Gateway slow", "it is slow"), mb)
	id := *first.IncidentID
	if _, err := v.e.Incidents.Assign(v.ctx, eng, id, eng.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.e.Incidents.Acknowledge(v.ctx, eng, id, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := v.e.Incidents.Wait(v.ctx, eng, id, "send the logs"); err != nil {
		t.Fatal(err)
	}
	if waiting, _ := v.e.Incidents.Get(v.ctx, v.admin, id); cadenceOf(waiting) == nil || cadenceOf(waiting).State != sla.Paused {
		t.Fatalf("cadence while waiting: %+v", cadenceOf(waiting))
	}
	receipt, _ := mailmsg.Parse(v.smtp.Wait(t, 1, 10*time.Second)[0].Data, mailmsg.Limits{})
	reply := mailFrom("alice@acme.example", "Re: "+receipt.Subject, "Here are the logs.\r\n\r\nOn Tue, Support wrote:\r\n> We received your message",
		"In-Reply-To", "<"+receipt.MessageID+">", "References", "<"+receipt.MessageID+">")
	m := v.deliver(reply, mb)
	if m.IncidentID == nil || *m.IncidentID != id || m.Outcome != "replied" {
		t.Fatalf("reply %+v", m)
	}
	inc, err := v.e.Incidents.Get(v.ctx, v.admin, id)
	if err != nil || inc.Status != tickets.StatusInProgress {
		t.Fatalf("status %s %v, want in_progress", inc.Status, err)
	}
	evs := v.timeline(id)
	k := strings.Join(kinds(evs), " ")
	if !strings.Contains(k, "wait_started") || !strings.Contains(k, "customer_reply wait_ended") {
		t.Fatalf("timeline %s", k)
	}
	for _, e := range evs {
		if e.Kind == "customer_reply" && (e.Data["body"] != "Here are the logs." || e.Data["channel"] != "email") {
			t.Errorf("reply event %v: quoted history must be stripped", e.Data)
		}
	}
	if c := cadenceOf(inc); c == nil || c.State != sla.Pending || c.DueAt == nil {
		t.Fatalf("cadence after the reply: %+v", c)
	}
	// Processing the reply again adds nothing.
	if _, err := v.e.Mail.Reprocess(v.ctx, v.admin, m.ID); err == nil {
		t.Error("a processed message was put back to processing")
	}
	if err := v.e.Mail.Process(v.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if got := kinds(v.timeline(id)); len(got) != len(evs) {
		t.Errorf("second run changed the timeline: %v", got)
	}
}

// TestReplyToResolvedIncident: within MAIL_REOPEN_DAYS a reply reopens the incident; after it,
// the reply opens a new incident, linked on both timelines.
func TestReplyToResolvedIncident(t *testing.T) {
	r := resolvedByMail(t, "0.00002") // about 1.7 s
	v, id, eng := r.v, r.id, r.eng
	m := r.reply("still slow")
	if m.Outcome != "reopened" || *m.IncidentID != id {
		t.Fatalf("within the window: %+v", m)
	}
	if got, _ := v.e.Incidents.Get(v.ctx, v.admin, id); got.Status == tickets.StatusResolved {
		t.Fatal("not reopened")
	}
	if _, err := v.e.Incidents.Resolve(v.ctx, eng, id, "fixed again"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	m = r.reply("slow once more")
	if m.Outcome != "follow_up_opened" || m.IncidentID == nil || *m.IncidentID == id {
		t.Fatalf("after the window: %+v", m)
	}
	if got, _ := v.e.Incidents.Get(v.ctx, v.admin, id); got.Status != tickets.StatusResolved {
		t.Fatal("the old incident was reopened after the window")
	}
	if k := kinds(v.timeline(id)); !strings.Contains(strings.Join(k, " "), "follow_up_opened") {
		t.Errorf("old timeline %v", k)
	}
	if k := kinds(v.timeline(*m.IncidentID)); !strings.Contains(strings.Join(k, " "), "follow_up_of") {
		t.Errorf("new timeline %v", k)
	}
}

// TestAutomaticMailLimits: automatic answers stop at the daily cap per address, never go to an
// address a bounce marked undeliverable, and a message over the size limit gets a polite answer.
func TestAutomaticMailLimits(t *testing.T) {
	v := newEnv(t, "MAIL_AUTO_REPLY_CAP", "2", "MAIL_MAX_BYTES", "4000")
	mb := v.mailbox("", "", "")
	for i := 0; i < 3; i++ {
		if m := v.deliver(mailFrom("stranger@nowhere.example", fmt.Sprintf("hello %d", i), "who are you"), mb); m.Outcome != "unknown_sender" {
			t.Fatalf("%+v", m)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(v.smtp.Messages()); n != 2 {
		t.Fatalf("%d answers to one address, want the cap of 2", n)
	}
	// A bounce for another address, then mail from it: no answer.
	bounce := strings.ReplaceAll(string(fixture(t, "bounce.eml")), "gone.user@acme.example", "gone@nowhere.example")
	if m := v.deliver([]byte(bounce), mb); m.Outcome != "bounce" {
		t.Fatalf("%+v", m)
	}
	v.deliver(mailFrom("gone@nowhere.example", "hello", "x"), mb)
	// Too large.
	big := v.deliver(mailFrom("big@nowhere.example", "big", strings.Repeat("x", 5000)), mb)
	if big.State != inbound.MsgRejected || big.Outcome != "too_large" {
		t.Fatalf("%+v", big)
	}
	sent := v.smtp.Wait(t, 3, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	sent = v.smtp.Messages()
	if len(sent) != 3 || sent[2].To[0] != "big@nowhere.example" {
		t.Fatalf("answers %d, want the two capped ones and the size answer only", len(sent))
	}
	p, _ := mailmsg.Parse(sent[2].Data, mailmsg.Limits{})
	if !strings.Contains(p.Text, "too large") && !strings.Contains(p.Subject, "too large") {
		t.Errorf("size answer: %s\n%s", p.Subject, p.Text)
	}
}

// TestFailedMailQueueAndReprocess: mail that cannot be processed is in the failed queue for
// staff; a lead becomes an incident when reprocessed after the sender was added.
func TestFailedMailQueueAndReprocess(t *testing.T) {
	v := newEnv(t)
	mb := v.mailbox("", "", "")
	bad := v.deliver([]byte("this is not a mail message at all"), mb)
	noFrom := v.deliver([]byte("Subject: who\r\nTo: "+supportAddr+"\r\n\r\nno sender\r\n"), mb)
	failed := v.messages(inbound.MsgFailed)
	if len(failed) != 2 || bad.State != inbound.MsgFailed || noFrom.State != inbound.MsgFailed || noFrom.Outcome != "no_sender" {
		t.Fatalf("failed queue %+v / %+v / %+v", failed, bad, noFrom)
	}
	lead := v.deliver(mailFrom("newcomer@acme.example", "please help", "gateway down"), mb)
	if lead.State != inbound.MsgLead {
		t.Fatalf("%+v", lead)
	}
	alice := v.customer("Acme", "alice@acme.example", "active")
	if _, err := v.e.Accounts.CreateUser(v.ctx, v.admin, accounts.NewUser{Email: "newcomer@acme.example", Name: "N",
		Role: accounts.Member, OrganizationID: alice.OrganizationID}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.e.Mail.Reprocess(v.ctx, v.admin, lead.ID); err != nil {
		t.Fatal(err)
	}
	if err := v.e.Mail.Process(v.ctx, lead.ID); err != nil {
		t.Fatal(err)
	}
	m, _ := v.e.Mail.GetMessage(v.ctx, v.admin, lead.ID)
	if m.State != inbound.MsgProcessed || m.IncidentID == nil {
		t.Fatalf("reprocessed lead %+v", m)
	}
	cust := alice
	if _, err := v.e.Mail.Reprocess(v.ctx, cust, bad.ID); err == nil {
		t.Error("a customer reprocessed mail")
	}
}

// TestProcessingTwiceAtOnce: runs racing on one message make one incident.
func TestProcessingTwiceAtOnce(t *testing.T) {
	v := newEnv(t)
	v.customer("Acme", "alice@acme.example", "active")
	mb := v.mailbox("", "", "")
	id, _, err := v.e.Mail.Receive(v.ctx, mailFrom("alice@acme.example", "race", "x"), inbound.Delivery{Source: "lmtp", MailboxID: &mb.ID})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() { errs <- v.e.Mail.Process(v.ctx, id) }()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil && err != inbound.ErrHeld {
			t.Fatal(err)
		}
	}
	page, err := v.e.Incidents.List(v.ctx, v.admin, tickets.Filter{Limit: 50})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%d incidents for one message (%v)", len(page.Items), err)
	}
}

func cadenceOf(inc tickets.Incident) *catalog.Target {
	if inc.SLA == nil {
		return nil
	}
	for i, tg := range inc.SLA.Targets {
		if tg.Target == sla.UpdateCadence {
			return &inc.SLA.Targets[i]
		}
	}
	return nil
}

// TestStaffMailIsNotAnIntake: an engineer writing to the support address opens nothing and gets
// no answer.
func TestStaffMailIsNotAnIntake(t *testing.T) {
	v := newEnv(t)
	v.staff("eng@vendor.example", accounts.Engineer)
	mb := v.mailbox("", "", "")
	m := v.deliver(mailFrom("eng@vendor.example", "note to self", "x"), mb)
	if m.State != inbound.MsgIgnored || m.Outcome != "staff_sender" || m.IncidentID != nil {
		t.Fatalf("%+v", m)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(v.smtp.Messages()); n != 0 {
		t.Fatalf("%d answers to staff", n)
	}
}

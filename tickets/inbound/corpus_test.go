package inbound_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/mailtest"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// TestCorpusThroughThePipeline puts every fixture of internal/mailmsg/testdata into a real
// Dovecot INBOX (IMAP APPEND), lets the mailbox reader store them over IMAP, processes them and
// checks each one's outcome: replies thread into the incidents they answer, a subject reference
// from a non-participant opens a new incident, refused intakes and unknown senders are leads
// with one polite answer, loops and bounces are never answered, a copy is one message.
func TestCorpusThroughThePipeline(t *testing.T) {
	v := newEnv(t)
	dove := mailtest.StartIMAP(t)

	alice := v.customer("Acme", "alice.tanaka@acme.example", "active")
	bob := v.customer("Globex", "bob.fischer@globex.example", "active")
	carol := v.customer("Initech", "carol@initech.example", "expired")
	if _, err := v.e.Accounts.CreateUser(v.ctx, v.admin, accounts.NewUser{Email: "hanako.sato@initech.example", Name: "Hanako",
		Role: accounts.Member, OrganizationID: carol.OrganizationID}); err != nil {
		t.Fatal(err)
	}
	v.customer("Yamada", "taro@yamada.example.jp", "active")
	v.customer("Umbrella", "dave.ito@umbrella.example", "active")
	v.customer("Hooli", "erin@hooli.example", "active")
	v.customer("Contoso", "mallory@contoso.example", "active")

	// Incidents A and B get the references the fixtures quote; their tokens replace the
	// fixtures' (made for other ids).
	if err := v.e.DB.Exec(`SELECT setval('incident_reference_seq', 41)`).Error; err != nil {
		t.Fatal(err)
	}
	incA, _, err := v.e.Incidents.Open(v.ctx, alice, tickets.NewIncident{Product: "gateway", Title: "Mail gateway rejects TLS connections", Description: "TLS"}, "")
	if err != nil {
		t.Fatal(err)
	}
	incB, _, err := v.e.Incidents.Open(v.ctx, bob, tickets.NewIncident{Product: "gateway", Title: "Quarantine digest not sent", Description: "digest"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(incA.Reference, "-000042") || !strings.HasSuffix(incB.Reference, "-000043") {
		t.Fatalf("references %s %s", incA.Reference, incB.Reference)
	}
	retoken := func(raw []byte) []byte {
		s := strings.ReplaceAll(string(raw), fixtureTokA, v.sign.Token(incA.ID))
		s = strings.ReplaceAll(s, fixtureTokB, v.sign.Token(incB.ID))
		if !strings.HasPrefix(incA.Reference, "INC-2026-") {
			s = strings.ReplaceAll(s, "INC-2026-", incA.Reference[:9])
		}
		return []byte(s)
	}

	files := []string{"gmail_reply.eml", "outlook_reply.eml", "apple_mail_reply.eml", "iso2022jp.eml", "shiftjis.eml",
		"html_only.eml", "auto_reply.eml", "bounce.eml", "two_addresses.eml", "no_message_id.eml", "other_customers_reference.eml"}
	for _, f := range files {
		dove.Append(t, "support", "INBOX", retoken(fixture(t, f)))
	}
	// The same mail to the second support address arrives as a second copy.
	dove.Append(t, "support", "INBOX", fixture(t, "two_addresses.eml"))

	mb := v.mailbox(dove.IMAPAddr, "support", dove.Password)
	ctx, cancel := context.WithCancel(v.ctx)
	reader := &workers.MailReader{Mail: v.e.Mail, Interval: 200 * time.Millisecond, Log: v.e.Log}
	done := make(chan struct{})
	go func() { defer close(done); reader.Run(ctx) }()
	// The position is recorded after each message and the read's success after the last: wait
	// for both, or the cancel may fall between them.
	waitFor(t, "every fixture stored and the read recorded", 30*time.Second, func() bool {
		m, err := v.e.Mail.FindMailbox(v.ctx, mb.ID)
		return err == nil && m.LastUID == uint32(len(files)+1) && m.State == inbound.StateOK
	})
	cancel()
	<-done
	if got := len(v.messages("")); got != len(files) {
		t.Fatalf("%d messages stored for %d fixtures (the second copy must be one of them)", got, len(files))
	}
	for _, m := range dove.Fetch(t, "support", "INBOX") {
		if !hasFlag(m.Flags, imap.FlagSeen) {
			t.Errorf("UID %d not marked seen after import", m.UID)
		}
	}
	got, err := v.e.Mail.GetMailbox(v.ctx, v.admin, mb.ID)
	if err != nil || got.State != inbound.StateOK || got.LastSuccessAt == nil || got.LastError != "" {
		t.Fatalf("mailbox state %+v %v", got, err)
	}

	v.processAll()
	v.processAll() // a second run changes nothing

	bySubject := map[string]inbound.Message{}
	for _, m := range v.messages("") {
		bySubject[m.FromAddress+" "+m.Subject] = m
	}
	want := []struct {
		from, subject, state, outcome string
		incident                      *uuid.UUID // nil: any (a new one) or none
		newIncident                   bool
	}{
		{"alice.tanaka@acme.example", "Re: [INC-2026-000042] Mail gateway rejects TLS connections", inbound.MsgProcessed, "replied", &incA.ID, false},
		{"bob.fischer@globex.example", "RE: [INC-2026-000043] Quarantine digest not sent", inbound.MsgProcessed, "replied", &incB.ID, false},
		{"carol@initech.example", "Re: [INC-2026-000042] Mail gateway rejects TLS connections", inbound.MsgLead, "entitlement_expired", nil, false},
		{"taro@yamada.example.jp", "Re: [INC-2026-000042] ゲートウェイで TLS 接続が拒否される", inbound.MsgProcessed, "opened", nil, true},
		{"hanako.sato@initech.example", "Re: 隔離ダイジェストが届かない [INC-2026-000043]", inbound.MsgLead, "entitlement_expired", nil, false},
		{"dave.ito@umbrella.example", "Cannot open the admin console", inbound.MsgProcessed, "opened", nil, true},
		{"alice.tanaka@acme.example", "Automatic reply: [INC-2026-000042] Mail gateway rejects TLS connections", inbound.MsgIgnored, "auto_reply", nil, false},
		{"mailer-daemon@mx.acme.example", "Undelivered Mail Returned to Sender", inbound.MsgIgnored, "bounce", nil, false},
		{"erin@hooli.example", "Licence key rejected after renewal", inbound.MsgProcessed, "opened", nil, true},
		{"frank@legacy-host.example", "scanner stopped", inbound.MsgLead, "unknown_sender", nil, false},
		{"mallory@contoso.example", "Re: [INC-2026-000042] Mail gateway rejects TLS connections", inbound.MsgProcessed, "opened", nil, true},
	}
	for _, w := range want {
		m, ok := bySubject[w.from+" "+w.subject]
		if !ok {
			t.Errorf("no message from %s %q", w.from, w.subject)
			continue
		}
		if m.State != w.state || m.Outcome != w.outcome {
			t.Errorf("%s %q: %s/%s (%s), want %s/%s", w.from, w.subject, m.State, m.Outcome, m.Error, w.state, w.outcome)
		}
		switch {
		case w.incident != nil && (m.IncidentID == nil || *m.IncidentID != *w.incident):
			t.Errorf("%s: incident %v, want %v", w.from, m.IncidentID, *w.incident)
		case w.newIncident && (m.IncidentID == nil || *m.IncidentID == incA.ID || *m.IncidentID == incB.ID):
			t.Errorf("%s: incident %v, want a new one", w.from, m.IncidentID)
		case w.newIncident:
			inc, err := v.e.Incidents.Get(v.ctx, v.admin, *m.IncidentID)
			if err != nil || inc.Channel != tickets.ChannelEmail || inc.Severity != 3 || inc.Product != "gateway" {
				t.Errorf("%s: incident %+v %v, want channel email, severity 3, product gateway", w.from, inc, err)
			}
		}
	}

	// The replies are on the timelines once, as customer replies.
	for _, inc := range []tickets.Incident{incA, incB} {
		n := 0
		for _, e := range v.timeline(inc.ID) {
			if e.Kind == "customer_reply" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d customer replies, want 1: %v", inc.Reference, n, kinds(v.timeline(inc.ID)))
		}
	}
	// Attachments: the Japanese mail's log file and the HTML mail's inline image.
	for from, want := range map[string]string{"taro@yamada.example.jp": "ログ.txt", "dave.ito@umbrella.example": ""} {
		var m inbound.Message
		for _, x := range bySubject {
			if x.FromAddress == from {
				m = x
			}
		}
		if m.IncidentID == nil {
			continue
		}
		atts, _, err := v.e.Mail.Attachments(v.ctx, v.admin, *m.IncidentID, page.Request{})
		if err != nil || len(atts) != 1 || atts[0].Filename != want {
			t.Errorf("%s: attachments %+v %v, want one named %q", from, atts, err, want)
		}
	}
	// The bounce marked the address undeliverable.
	if bad, err := v.e.Mail.IsUndeliverable(v.ctx, "gone.user@acme.example"); err != nil || !bad {
		t.Errorf("gone.user not undeliverable: %v %v", bad, err)
	}
	// Leads are kept with the whole message.
	rej, _, err := v.e.Entitlements.Leads(v.ctx, v.admin, entitlement.LeadFilter{Page: page.Request{Limit: page.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	leads := map[string]int{}
	for _, r := range rej {
		leads[r.Code]++
		if !strings.Contains(string(r.RequestBody), "Subject:") {
			t.Errorf("lead %s without the whole message: %.100s", r.Code, r.RequestBody)
		}
	}
	if leads["unknown_sender"] != 1 || leads["entitlement_expired"] != 2 {
		t.Errorf("leads %v, want one unknown_sender and two entitlement_expired", leads)
	}

	// Automatic answers: a receipt for each new incident, one polite answer per lead; none to
	// the auto-reply, the bounce or the replies.
	sent := v.smtp.Wait(t, 7, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	sent = v.smtp.Messages()
	to := map[string]int{}
	for _, s := range sent {
		p, err := mailmsg.Parse(s.Data, mailmsg.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Auto-Submitted") != "auto-replied" {
			t.Errorf("answer without Auto-Submitted: auto-replied: %v", p.Header)
		}
		to[s.To[0]]++
	}
	for _, addr := range []string{"taro@yamada.example.jp", "dave.ito@umbrella.example", "erin@hooli.example", "mallory@contoso.example",
		"carol@initech.example", "hanako.sato@initech.example", "frank@legacy-host.example"} {
		if to[addr] != 1 {
			t.Errorf("%s got %d automatic mails, want 1 (all: %v)", addr, to[addr], to)
		}
	}
	if len(sent) != 7 {
		t.Errorf("%d automatic mails, want 7: %v", len(sent), to)
	}
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

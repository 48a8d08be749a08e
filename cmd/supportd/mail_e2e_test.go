package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/mailtest"
)

// TestMailEndToEnd runs `supportd serve` and `supportd work` against a real Dovecot and a real
// SMTP listener: a customer mails the support address (IMAP APPEND to the mailbox's INBOX) →
// an incident with the e-mail rules and an acknowledgement of receipt by mail (asking for phone
// confirmation of the requested severity 2) → the engineer acknowledges and waits on the
// customer through the API → the customer receives both as mail threaded under the incident
// (In-Reply-To, References, Auto-Submitted) → the customer answers the waiting mail by mail to
// its Reply-To, with a subject that has no reference, so that only the signed token of the mail
// the worker sent can thread it (one signer for outbound and inbound mail) → the answer is on
// the timeline, waiting ended, the cadence restarted. The attachment of the first mail is
// listed and downloadable by the customer, and a 404 for another organisation.
func TestMailEndToEnd(t *testing.T) {
	dove := mailtest.StartIMAP(t)
	smtpSrv := mailtest.StartSMTP(t)
	suffix := fmt.Sprintf("mail-%d", time.Now().UnixNano())
	support := "support-" + suffix + "@support.example.com"
	env := []string{"SMTP_URL=smtp://" + smtpSrv.Addr + "?from=notify-" + suffix + "@support.example.com",
		"MAIL_TOKEN_KEY=" + base64.StdEncoding.EncodeToString([]byte("e2e-mail-token-key-0123456789")), "MAIL_DOMAIN=support.example.com", "MAIL_POLL_INTERVAL=300ms",
		"SECRET_KEY=" + strings.Repeat("cd", 32)}
	p := start(t, env...)
	startWorker(t, env...)
	w := setup(t, p, suffix)
	customer := "a-" + suffix + "@acme.example"

	mb := p.must(201, "POST", "/v1/mailboxes", adminToken, map[string]any{"name": "support " + suffix,
		"imap_host": strings.Split(dove.IMAPAddr, ":")[0], "imap_port": atoi(strings.Split(dove.IMAPAddr, ":")[1]),
		"tls_mode": "none", "username": suffix, "secret": dove.Password, "default_product": "endpoint",
		"addresses": []string{support}, "after_import": "seen"})
	mbID := mb.str("id")
	t.Cleanup(func() { p.call("DELETE", "/v1/mailboxes/"+mbID, adminToken, nil) })
	if _, shown := mb.Body["secret"]; shown || mb.Body["has_secret"] != true {
		t.Fatalf("mailbox answer shows the secret or lacks has_secret: %s", mb.Raw)
	}
	if r := p.call("GET", "/v1/mailboxes", w.engineer, nil); r.Status != 403 {
		t.Fatalf("engineer listing mailboxes: %d", r.Status)
	}

	first := "From: A <" + customer + ">\r\nTo: " + support + "\r\nSubject: Severity 2: endpoint agents offline\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <first-" + suffix + "@acme.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Half of our agents went offline at 09:00.\r\n--b1\r\nContent-Type: text/plain; name=agents.log\r\n" +
		"Content-Disposition: attachment; filename=agents.log\r\n\r\nagent-17 offline\r\n--b1--\r\n"
	dove.Append(t, suffix, "INBOX", []byte(first))

	var inc reply
	waitFor(t, 30*time.Second, "the incident from the mail", func() bool {
		items := p.must(200, "GET", "/v1/incidents", w.memberA, nil).Body["items"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			if m["channel"] == "email" {
				inc = p.must(200, "GET", "/v1/incidents/"+m["id"].(string), w.memberA, nil)
				return true
			}
		}
		return false
	})
	id := inc.str("id")
	if inc.Body["severity"].(float64) != 3 || inc.Body["requested_severity"].(float64) != 2 || inc.Body["severity_confirmation_required"] != true ||
		inc.str("product") != "endpoint" || inc.str("title") != "Severity 2: endpoint agents offline" {
		t.Fatalf("incident by mail: %s", inc.Raw)
	}
	got := smtpSrv.Wait(t, 1, 20*time.Second)
	receipt, err := mailmsg.Parse(got[0].Data, mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].To[0] != customer || !strings.Contains(receipt.Subject, inc.str("reference")) || !strings.Contains(receipt.Text, "confirmed by phone") ||
		receipt.Header.Get("Auto-Submitted") != "auto-replied" || len(receipt.ReplyTo) != 1 || !strings.Contains(receipt.ReplyTo[0].Email, "+") {
		t.Fatalf("receipt to %v: %q\n%s\n%v", got[0].To, receipt.Subject, receipt.Text, receipt.Header)
	}

	// The attachment: listed and downloadable by the customer, hidden from another organisation.
	atts := p.must(200, "GET", "/v1/incidents/"+id+"/attachments", w.memberA, nil).Body["items"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["filename"] != "agents.log" {
		t.Fatalf("attachments %v", atts)
	}
	aid := atts[0].(map[string]any)["id"].(string)
	dl := p.call("GET", "/v1/incidents/"+id+"/attachments/"+aid, w.memberA, nil)
	if dl.Status != 200 || strings.TrimSpace(string(dl.Raw)) != "agent-17 offline" || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download %d %q %v", dl.Status, dl.Raw, dl.Header)
	}
	for _, path := range []string{"/v1/incidents/" + id + "/attachments", "/v1/incidents/" + id + "/attachments/" + aid} {
		if r := p.call("GET", path, w.memberB, nil); r.Status != 404 {
			t.Fatalf("another organisation's customer: %s → %d", path, r.Status)
		}
	}
	if r := upload(t, p, w.memberB, id, "x.txt", "nope"); r.Status != 404 {
		t.Fatalf("upload by another organisation: %d %s", r.Status, r.Raw)
	}
	if r := upload(t, p, w.memberA, id, "screenshot.png", "PNG..."); r.Status != 201 || r.str("filename") != "screenshot.png" {
		t.Fatalf("upload: %d %s", r.Status, r.Raw)
	}

	// The engineer acknowledges, confirms the requested severity 2 after a call (platinum
	// severity 2 has a 24-hour update cadence) and waits on the customer, through the API.
	p.must(200, "POST", "/v1/incidents/"+id+"/assign", w.engineer, map[string]any{"assignee_id": w.engineerID})
	p.must(200, "POST", "/v1/incidents/"+id+"/acknowledge", w.engineer, map[string]any{"message": "Looking at it"})
	cadenceBefore := cadenceDue(t, p.must(200, "PATCH", "/v1/incidents/"+id, w.engineer, map[string]any{"severity": 2, "reason": "confirmed by phone"}))
	p.must(200, "POST", "/v1/incidents/"+id+"/wait", w.engineer, map[string]any{"reason": "which agent version?"})

	// The worker mails both to the customer, threaded: the acknowledgement answers the
	// incident's reference id, the waiting mail answers the acknowledgement.
	ack, sev := customerMail(t, smtpSrv, customer, "An engineer is working on your incident"), customerMail(t, smtpSrv, customer, "Severity changed")
	waiting := customerMail(t, smtpSrv, customer, "We need information from you")
	incRef := ack.References[0]
	for _, c := range []struct {
		name            string
		m               *mailmsg.Parsed
		inReplyTo, text string
		refs            []string
	}{
		{"acknowledgement", ack, incRef, "Looking at it", []string{incRef}},
		{"severity", sev, ack.MessageID, "confirmed by phone", []string{incRef, ack.MessageID}},
		{"waiting", waiting, sev.MessageID, "which agent version?", []string{incRef, ack.MessageID, sev.MessageID}},
	} {
		if len(c.m.InReplyTo) != 1 || c.m.InReplyTo[0] != c.inReplyTo || strings.Join(c.m.References, " ") != strings.Join(c.refs, " ") ||
			c.m.Header.Get("Auto-Submitted") != "auto-generated" || !strings.Contains(c.m.Subject, inc.str("reference")) ||
			!strings.Contains(c.m.Text, c.text) || len(c.m.ReplyTo) != 1 || !strings.Contains(c.m.ReplyTo[0].Email, "+") {
			t.Fatalf("%s mail: In-Reply-To %v References %v Auto-Submitted %q subject %q Reply-To %v\n%s", c.name, c.m.InReplyTo, c.m.References,
				c.m.Header.Get("Auto-Submitted"), c.m.Subject, c.m.ReplyTo, c.m.Text)
		}
	}
	if !strings.HasPrefix(incRef, "i.") || ack.ReplyTo[0].Email != waiting.ReplyTo[0].Email {
		t.Fatalf("thread root %q, Reply-To %v and %v", incRef, ack.ReplyTo, waiting.ReplyTo)
	}

	// The customer answers the waiting mail; the subject names no incident.
	answeredAt := time.Now()
	answer := "From: A <" + customer + ">\r\nTo: " + waiting.ReplyTo[0].Email + "\r\nSubject: Re: the agent version\r\n" +
		"Date: " + answeredAt.Format(time.RFC1123Z) + "\r\nMessage-ID: <answer-" + suffix + "@acme.example>\r\n" +
		"In-Reply-To: <" + waiting.MessageID + ">\r\nReferences: <" + incRef + "> <" + sev.MessageID + "> <" + waiting.MessageID + ">\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nVersion 10.2.1 on all of them.\r\n\r\n> To continue we need the following from you.\r\n"
	dove.Append(t, suffix, "INBOX", []byte(answer))
	var events []any
	waitFor(t, 30*time.Second, "the answer on the timeline", func() bool {
		events = p.must(200, "GET", "/v1/incidents/"+id+"/timeline", w.memberA, nil).Body["events"].([]any)
		for _, e := range events {
			if m := e.(map[string]any); m["kind"] == "wait_ended" {
				return true
			}
		}
		return false
	})
	var reply map[string]any
	for _, e := range events {
		if m := e.(map[string]any); m["kind"] == "customer_reply" {
			reply = m["data"].(map[string]any)
		}
	}
	if reply == nil || reply["body"] != "Version 10.2.1 on all of them." {
		t.Fatalf("reply on the timeline: %v", reply)
	}
	after := p.must(200, "GET", "/v1/incidents/"+id, w.memberA, nil)
	if after.str("status") != "in_progress" {
		t.Fatalf("status after the answer: %s", after.Raw)
	}
	// The cadence runs again, later than before the wait by the time spent waiting.
	if due := cadenceDue(t, after); !due.After(cadenceBefore) || !due.After(answeredAt.Add(23*time.Hour)) {
		t.Fatalf("cadence due %v after the answer, %v before the wait", due, cadenceBefore)
	}
	if n := len(p.must(200, "GET", "/v1/incidents?limit=200", w.memberA, nil).Body["items"].([]any)); n != 1 {
		t.Fatalf("the answer opened another incident: %d incidents", n)
	}
	// The mailbox read fine; nothing failed.
	st := p.must(200, "GET", "/v1/mailboxes/"+mbID, adminToken, nil)
	if st.str("state") != "ok" || st.Body["last_success_at"] == nil {
		t.Fatalf("mailbox state %s", st.Raw)
	}
	if items := p.must(200, "GET", "/v1/inbound-messages?state=failed", w.engineer, nil).Body["items"].([]any); len(items) != 0 {
		t.Fatalf("failed mail: %v", items)
	}
	if r := p.call("GET", "/v1/inbound-messages", w.memberA, nil); r.Status != 403 {
		t.Fatalf("customer reading inbound mail: %d", r.Status)
	}
	metrics := p.call("GET", "/metrics", "", nil)
	if !bytes.Contains(metrics.Raw, []byte(`supportd_mailbox_failing{mailbox="support `+suffix+`"} 0`)) {
		t.Fatalf("metrics lack the mailbox gauge")
	}
}

// cadenceDue returns the pending update-cadence deadline of an incident answer.
func cadenceDue(t *testing.T, inc reply) time.Time {
	t.Helper()
	for _, tg := range inc.Body["sla"].(map[string]any)["targets"].([]any) {
		if m := tg.(map[string]any); m["target"] == "update_cadence" && m["state"] == "pending" {
			if due, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["due_at"])); err == nil {
				return due
			}
		}
	}
	t.Fatalf("no pending update cadence: %s", inc.Raw)
	return time.Time{}
}

// customerMail waits for the mail to addr whose subject holds subject, and parses it.
func customerMail(t *testing.T, srv *mailtest.SMTP, addr, subject string) *mailmsg.Parsed {
	t.Helper()
	var found *mailmsg.Parsed
	waitFor(t, 30*time.Second, "the mail "+subject, func() bool {
		for _, m := range srv.Messages() {
			if len(m.To) != 1 || m.To[0] != addr {
				continue
			}
			if pm, err := mailmsg.Parse(m.Data, mailmsg.Limits{}); err == nil && strings.Contains(pm.Subject, subject) {
				found = pm
				return true
			}
		}
		return false
	})
	return found
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

// upload posts a file as multipart/form-data.
func upload(t *testing.T, p *proc, token, incident, name, content string) reply {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest("POST", p.base+"/v1/incidents/"+incident+"/attachments", &body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{Status: res.StatusCode, Header: res.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

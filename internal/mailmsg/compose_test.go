package mailmsg_test

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/mailmsg"
)

func japaneseOutgoing(refs int) mailmsg.Outgoing {
	var references []string
	for i := 0; i < refs; i++ {
		references = append(references, fmt.Sprintf("older-%d@customer.example", i))
	}
	return mailmsg.Outgoing{
		From:           mailmsg.Address{Name: "サポートセンター", Email: "support@support.example.com"},
		To:             []mailmsg.Address{{Name: "山田 太郎", Email: "taro@yamada.example.jp"}},
		Cc:             []mailmsg.Address{{Email: "it@yamada.example.jp"}},
		ReplyTo:        []mailmsg.Address{{Email: fixtureSigner.PlusAddress("support@support.example.com", incidentA)}},
		Subject:        "ゲートウェイで TLS 接続が拒否される件について、担当エンジニアより状況のご報告です",
		Reference:      "INC-2026-000042",
		IncidentID:     incidentA,
		NotificationID: uuid.MustParse("0d9e8f70-1111-4222-8333-000000000009"),
		InReplyTo:      "20261201114500.7F3A.TARO@yamada.example.jp",
		References:     references,
		Text:           "山田様\n\n証明書チェーンを更新しました。再度お試しください。\n\nサポートセンター",
		Date:           time.Date(2026, 12, 1, 12, 0, 0, 0, time.FixedZone("JST", 9*3600)),
	}
}

// TestCompose: the fields that thread and protect a notification, the encodings Japanese mail
// programs read, and lines within SMTP's limits.
func TestCompose(t *testing.T) {
	o := japaneseOutgoing(20)
	c, err := fixtureSigner.Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if c.MessageID != fixtureSigner.MessageID(o.NotificationID, incidentA) {
		t.Errorf("Message-ID %q is not derived from the notification", c.MessageID)
	}
	again, _ := fixtureSigner.Compose(o)
	if !bytes.Equal(again.Data[:bytes.Index(again.Data, []byte("\r\n\r\n"))], c.Data[:bytes.Index(c.Data, []byte("\r\n\r\n"))]) {
		t.Error("composing twice gave different headers")
	}
	for _, line := range strings.Split(string(c.Data), "\r\n") {
		// Longer only where there is nowhere to fold: one address or id after the field name.
		if _, value, _ := strings.Cut(strings.TrimSpace(line), " "); len(line) > 78 && strings.Contains(value, " ") {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if len(line) > 998 {
			t.Errorf("line over SMTP's limit")
		}
		for _, b := range []byte(line) {
			if b >= 0x80 {
				t.Fatalf("8-bit octet in %q", line)
			}
		}
	}
	if strings.Contains(strings.ReplaceAll(string(c.Data), "\r\n", ""), "\n") {
		t.Error("a bare LF")
	}
	m, err := mail.ReadMessage(bytes.NewReader(c.Data))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	for k, want := range map[string]string{
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
		"In-Reply-To":              "<20261201114500.7F3A.TARO@yamada.example.jp>",
		"Message-Id":               "<" + c.MessageID + ">",
		"Mime-Version":             "1.0",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative;") {
		t.Errorf("Content-Type = %q", h.Get("Content-Type"))
	}
	refs := strings.Fields(h.Get("References"))
	if len(refs) != mailmsg.MaxReferences || refs[0] != "<"+fixtureSigner.IncidentMessageID(incidentA)+">" ||
		refs[len(refs)-1] != "<"+o.InReplyTo+">" || refs[1] != "<older-12@customer.example>" {
		t.Errorf("References = %q: want the incident's id, then the newest, %d in all", refs, mailmsg.MaxReferences)
	}

	// Read back as a customer's mail program would, through our own parser.
	p, err := mailmsg.Parse(c.Data, mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[INC-2026-000042] " + o.Subject; p.Subject != want {
		t.Errorf("subject = %q, want %q", p.Subject, want)
	}
	if p.Text != o.Text || !strings.Contains(p.HTML, "証明書チェーンを更新しました。") {
		t.Errorf("text = %q, html = %q", p.Text, p.HTML)
	}
	if p.From != o.From || len(p.To) != 1 || p.To[0] != o.To[0] || len(p.ReplyTo) != 1 || p.ReplyTo[0] != o.ReplyTo[0] {
		t.Errorf("addresses: from %+v to %+v reply-to %+v", p.From, p.To, p.ReplyTo)
	}
	if !p.Date.Equal(o.Date) {
		t.Errorf("date = %v", p.Date)
	}
	// Our own mail, come back (a forward loop or an autoresponder quoting it), is recognised.
	if v := mailmsg.Classify(p, mailmsg.LoopRules{OwnAddresses: ownAddresses, Signer: fixtureSigner}); v.Verdict != mailmsg.VerdictOwnMail {
		t.Errorf("our own mail classified %+v", v)
	}
	// A customer's reply to it threads into the incident by its Message-ID.
	reply := "From: taro@yamada.example.jp\r\nTo: support@support.example.com\r\nSubject: Re: " + h.Get("Subject") +
		"\r\nIn-Reply-To: <" + c.MessageID + ">\r\nReferences: " + h.Get("References") + " <" + c.MessageID + ">\r\n\r\nありがとうございます。\r\n"
	rp, err := mailmsg.Parse([]byte(reply), mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	cands := mailmsg.Candidates(rp, fixtureSigner)
	if len(cands) == 0 || cands[0].Source != mailmsg.SourceMessageID || cands[0].IncidentID != incidentA {
		t.Errorf("candidates of a reply = %+v", cands)
	}
}

// TestComposeAutoReplied and the ASCII case: RFC 3834's auto-replied, quoted-printable for
// English text, a subject already carrying its reference left alone, a fresh thread's
// References holding just the incident's id.
func TestComposeAutoReplied(t *testing.T) {
	c, err := fixtureSigner.Compose(mailmsg.Outgoing{
		From: mailmsg.Address{Email: "support@support.example.com"}, To: []mailmsg.Address{{Email: "alice@acme.example"}},
		Subject: "Re: [INC-2026-000042] Mail gateway", Reference: "INC-2026-000042", IncidentID: incidentA,
		NotificationID: uuid.New(), Text: "We received your message.", AutoReplied: true,
		Date: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(c.Data))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, line := range strings.Split(string(c.Data[:bytes.Index(c.Data, []byte("\r\n\r\n"))]), "\r\n") {
		if k, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			keys = append(keys, k)
		}
	}
	if got, want := strings.Join(keys, " "), "Date From To Subject Message-Id References Auto-Submitted X-Auto-Response-Suppress Mime-Version Content-Type"; got != want {
		t.Errorf("fields in the order\n%s\nwant\n%s", got, want)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-replied" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	if got := m.Header.Get("Subject"); got != "Re: [INC-2026-000042] Mail gateway" {
		t.Errorf("Subject = %q", got)
	}
	if got := m.Header.Get("References"); got != "<"+fixtureSigner.IncidentMessageID(incidentA)+">" {
		t.Errorf("References = %q", got)
	}
	if m.Header.Get("In-Reply-To") != "" {
		t.Error("In-Reply-To without a message answered")
	}
	if !strings.Contains(string(c.Data), "Content-Transfer-Encoding: quoted-printable") {
		t.Error("English text not quoted-printable")
	}
	if _, err := fixtureSigner.Compose(mailmsg.Outgoing{Subject: "x"}); err == nil {
		t.Error("composed a mail without recipient")
	}
	if _, err := fixtureSigner.Compose(mailmsg.Outgoing{To: []mailmsg.Address{{Email: "a@b.example"}}, Subject: "x\r\nBcc: victim@example.com",
		Date: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("a line break in the subject was accepted")
	}
	// No date: the caller's clock gives it, Compose does not read the wall clock.
	if _, err := fixtureSigner.Compose(mailmsg.Outgoing{To: []mailmsg.Address{{Email: "a@b.example"}}, Subject: "x"}); err == nil ||
		!strings.Contains(err.Error(), "no date") {
		t.Errorf("composed a mail without a date: %v", err)
	}
}

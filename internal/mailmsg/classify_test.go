package mailmsg_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/mailmsg"
)

func parseString(t *testing.T, raw string) *mailmsg.Parsed {
	t.Helper()
	p, err := mailmsg.Parse([]byte(strings.ReplaceAll(raw, "\n", "\r\n")), mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestClassifyRules: each loop and noise rule on its own, on an otherwise ordinary message.
func TestClassifyRules(t *testing.T) {
	own, err := fixtureSigner.Compose(mailmsg.Outgoing{
		From: mailmsg.Address{Email: "support@support.example.com"}, To: []mailmsg.Address{{Email: "x@customer.example"}},
		Subject: "s", Reference: "INC-2026-000042", IncidentID: incidentA, NotificationID: uuid.New(), Text: "t",
		Date: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	ownID := own.MessageID
	cases := []struct {
		name, from, header string
		want               mailmsg.Verdict
	}{
		{"person", "alice@customer.example", "", mailmsg.VerdictNormal},
		{"Auto-Submitted: no", "alice@customer.example", "Auto-Submitted: no", mailmsg.VerdictNormal},
		{"Auto-Submitted: auto-replied", "alice@customer.example", "Auto-Submitted: auto-replied", mailmsg.VerdictAutoReply},
		{"Auto-Submitted: auto-generated", "alice@customer.example", "Auto-Submitted: auto-generated", mailmsg.VerdictAutoReply},
		{"Auto-Submitted: auto-notified", "alice@customer.example", "Auto-Submitted: Auto-Notified", mailmsg.VerdictAutoReply},
		{"X-Autoreply", "alice@customer.example", "X-Autoreply: yes", mailmsg.VerdictAutoReply},
		{"X-Autorespond", "alice@customer.example", "X-Autorespond: vacation", mailmsg.VerdictAutoReply},
		{"null Return-Path", "alice@customer.example", "Return-Path: <>", mailmsg.VerdictAutoReply},
		{"Precedence: bulk", "news@vendor.example", "Precedence: bulk", mailmsg.VerdictBulk},
		{"Precedence: list", "alice@customer.example", "Precedence: list", mailmsg.VerdictBulk},
		{"Precedence: junk", "alice@customer.example", "Precedence: junk", mailmsg.VerdictBulk},
		{"List-Id", "alice@customer.example", "List-Id: Users <users.lists.example>", mailmsg.VerdictBulk},
		{"no-reply sender", "no-reply@vendor.example", "", mailmsg.VerdictBulk},
		{"noreply sender", "NoReply@vendor.example", "", mailmsg.VerdictBulk},
		{"mailer-daemon sender", "MAILER-DAEMON@mx.customer.example", "", mailmsg.VerdictBounce},
		{"postmaster sender", "postmaster@customer.example", "", mailmsg.VerdictBounce},
		{"our own address", "Support@Support.Example.com", "", mailmsg.VerdictOwnMail},
		{"our own Message-ID", "forwarder@customer.example", "Message-ID: <" + ownID + ">", mailmsg.VerdictOwnMail},
		{"own mail beats auto reply", "support@support.example.com", "Auto-Submitted: auto-generated", mailmsg.VerdictOwnMail},
		{"bounce beats auto reply", "mailer-daemon@mx.example", "Auto-Submitted: auto-replied", mailmsg.VerdictBounce},
		{"auto reply beats bulk", "alice@customer.example", "Precedence: bulk\nAuto-Submitted: auto-replied", mailmsg.VerdictAutoReply},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: " + tc.from + "\nTo: support@support.example.com\nSubject: hello\n"
			if tc.header != "" {
				raw += tc.header + "\n"
			}
			raw += "\nbody\n"
			c := mailmsg.Classify(parseString(t, raw), mailmsg.LoopRules{OwnAddresses: ownAddresses, Signer: fixtureSigner})
			if c.Verdict != tc.want || c.MayAutoReply != (tc.want == mailmsg.VerdictNormal) {
				t.Errorf("got %+v, want %s", c, tc.want)
			}
			if tc.want != mailmsg.VerdictNormal && len(c.Reasons) == 0 {
				t.Errorf("no reason given")
			}
		})
	}
}

// TestDedupKey: copies of one message delivered to two addresses or twice share a key, whether
// they have a Message-ID or not; different messages without one never do, and an empty
// Message-ID is no Message-ID.
func TestDedupKey(t *testing.T) {
	key := func(raw string) string {
		p, err := mailmsg.Parse([]byte(raw), mailmsg.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		return mailmsg.DedupKey(p, []byte(raw))
	}
	reDelivered := func(raw, to string) string {
		return "Delivered-To: " + to + "\nReceived: from relay.example by mx2.support.example.com; Tue, 1 Dec 2026 15:00:09 +0900\n" +
			strings.Replace(raw, "Delivered-To: support@support.example.com\n", "", 1)
	}
	two := string(readFixture(t, "two_addresses.eml"))
	if a, b := key(two), key(reDelivered(two, "sales-support@support.example.com")); a != b || a != "mid:a7c9e1f3-two-addresses@hooli.example" {
		t.Errorf("the copies of one mail to two addresses: %q and %q", a, b)
	}
	noID := string(readFixture(t, "no_message_id.eml"))
	a, b := key(noID), key(reDelivered(noID, "support@support.example.com"))
	if a != b || !strings.HasPrefix(a, "sha256:") {
		t.Errorf("a re-delivered message without Message-ID: %q and %q", a, b)
	}
	other := strings.Replace(noID, "stopped at 15:40", "stopped at 15:41", 1)
	if key(other) == a {
		t.Errorf("two different messages without Message-ID share the key %q", a)
	}
	emptyID := strings.Replace(noID, "Subject:", "Message-ID: <>\nSubject:", 1)
	emptyID2 := strings.Replace(other, "Subject:", "Message-ID: <>\nSubject:", 1)
	if k1, k2 := key(emptyID), key(emptyID2); k1 == k2 || !strings.HasPrefix(k1, "sha256:") {
		t.Errorf("an empty Message-ID matched: %q, %q", k1, k2)
	}
}

// TestLimits: an attachment over the limit is listed without its bytes; a message over the
// limit keeps its header only, so its sender can still be answered.
func TestLimits(t *testing.T) {
	raw := readFixture(t, "apple_mail_reply.eml")
	p, err := mailmsg.Parse(raw, mailmsg.Limits{MaxAttachmentBytes: 69})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 1 || !p.Attachments[0].Oversize || p.Attachments[0].Data != nil || p.Attachments[0].Size != 70 {
		t.Errorf("attachments = %+v, want one oversize of 70 bytes without data", p.Attachments)
	}
	p, err = mailmsg.Parse(raw, mailmsg.Limits{MaxMessageBytes: len(raw) - 1})
	if err != nil {
		t.Fatal(err)
	}
	if !p.TooLarge || p.Text != "" || len(p.Attachments) != 0 || p.From.Email != "carol@initech.example" || p.Size != len(raw) {
		t.Errorf("too large: %+v", p)
	}
}

// TestMalformed: what cannot be read as a message is refused with ErrMalformed, for the queue of
// mail staff look at, not dropped silently.
func TestMalformed(t *testing.T) {
	_, err := mailmsg.Parse([]byte("no header here, just text without a colon\n"), mailmsg.Limits{})
	if !errors.Is(err, mailmsg.ErrMalformed) {
		t.Errorf("err = %v, want ErrMalformed", err)
	}
}

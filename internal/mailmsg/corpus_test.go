package mailmsg_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/mailmsg"
)

// The fixtures' tokens were made with this key and domain; the incidents are A and B.
var (
	fixtureSigner = mustSigner("supportd-fixture-key-0123456789", "support.example.com")
	incidentA     = uuid.MustParse("6f1c2a3e-5b7d-4c11-9a0e-0000000000a1")
	incidentB     = uuid.MustParse("6f1c2a3e-5b7d-4c11-9a0e-0000000000b2")
	ownAddresses  = []string{"support@support.example.com", "sales-support@support.example.com"}
)

const (
	msgA = "n.bwpi64arcfbcfaztaaaaaaaaae.n4ocups3pvgbdgqoaaaaaaaaufgkyfowiqqz2cq@support.example.com"
	msgB = "n.bwpi64arcfbcfaztaaaaaaaaai.n4ocups3pvgbdgqoaaaaaaaawk5dupqg6u4hqmq@support.example.com"
)

func mustSigner(key, domain string) *mailmsg.Signer {
	s, err := mailmsg.NewSigner([]byte(key), domain)
	if err != nil {
		panic(err)
	}
	return s
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

type wantAttachment struct {
	Filename, ContentType, ContentID string
	Inline                           bool
	Size                             int64
}

// TestCorpus parses each fixture and checks what the engine will rely on: the verdict, the
// decoded subject and sender, the reply without its quoted history, the threading candidates
// in order, and the attachments.
func TestCorpus(t *testing.T) {
	subjA := mailmsg.Candidate{Source: mailmsg.SourceSubject, Reference: "INC-2026-000042"}
	subjB := mailmsg.Candidate{Source: mailmsg.SourceSubject, Reference: "INC-2026-000043"}
	byIDA := mailmsg.Candidate{Source: mailmsg.SourceMessageID, IncidentID: incidentA, MessageID: msgA}
	cases := []struct {
		file        string
		verdict     mailmsg.Verdict
		from, name  string
		subject     string
		messageID   string
		reply       string
		candidates  []mailmsg.Candidate
		attachments []wantAttachment
		failed      []string
	}{
		{
			file: "gmail_reply.eml", verdict: mailmsg.VerdictNormal,
			from: "alice.tanaka@acme.example", name: "Alice Tanaka",
			subject:    "Re: [INC-2026-000042] Mail gateway rejects TLS connections",
			messageID:  "CAOq7x=5kW8v4Yd3nqZ+F0u9@mail.gmail.com",
			reply:      "Hi,\n\nThe restart did not help. The logs show the same handshake error after\n10:30 JST.\n\nAlice",
			candidates: []mailmsg.Candidate{byIDA, subjA},
		},
		{
			file: "outlook_reply.eml", verdict: mailmsg.VerdictNormal,
			from: "bob.fischer@globex.example", name: "Bob Fischer",
			subject:   "RE: [INC-2026-000043] Quarantine digest not sent",
			messageID: "AM6PR05MB61842C1E0F3B5@AM6PR05MB6184.eurprd05.prod.outlook.com",
			reply: "Hello,\n\nthe digest arrived this morning for all users except the\nSales group. " +
				"Could you check the group filter?\n\nRegards\nBob Fischer\nGlobex IT",
			candidates: []mailmsg.Candidate{
				{Source: mailmsg.SourceMessageID, IncidentID: incidentB, MessageID: msgB},
				{Source: mailmsg.SourcePlusAddress, IncidentID: incidentB},
				subjB,
			},
		},
		{
			file: "apple_mail_reply.eml", verdict: mailmsg.VerdictNormal,
			from: "carol@initech.example", name: "Carol Nakamura",
			subject:     "Re: [INC-2026-000042] Mail gateway rejects TLS connections",
			messageID:   "8E2F0C4B-7A61-4D2B-9C1E-5F3A2B1D0C9E@initech.example",
			reply:       "Here is a screenshot of the error dialog — it appears on every login.",
			candidates:  []mailmsg.Candidate{byIDA, subjA},
			attachments: []wantAttachment{{Filename: "screenshot.png", ContentType: "image/png", Inline: true, Size: 70}},
		},
		{
			file: "iso2022jp.eml", verdict: mailmsg.VerdictNormal,
			from: "taro@yamada.example.jp", name: "山田 太郎",
			subject:   "Re: [INC-2026-000042] ゲートウェイで TLS 接続が拒否される",
			messageID: "20261201114500.7F3A.TARO@yamada.example.jp",
			reply: "お世話になっております。山田です。\n\n再起動しましたが、まだ同じエラーが表示されます。\n" +
				"ログを添付いたします。\n\nよろしくお願いいたします。",
			candidates:  []mailmsg.Candidate{byIDA, subjA},
			attachments: []wantAttachment{{Filename: "ログ.txt", ContentType: "text/plain", Size: 53}},
		},
		{
			file: "shiftjis.eml", verdict: mailmsg.VerdictNormal,
			from: "hanako.sato@initech.example", name: "佐藤 花子",
			subject:    "Re: 隔離ダイジェストが届かない [INC-2026-000043]",
			messageID:  "5F6A7B8C.9D0E1F20@initech.example",
			reply:      "サポートご担当者様\n\n隔離ダイジェストの件、本日も届いておりません。\n至急ご確認をお願いします。\n\n佐藤",
			candidates: []mailmsg.Candidate{subjB},
		},
		{
			file: "html_only.eml", verdict: mailmsg.VerdictNormal,
			from: "dave.ito@umbrella.example", name: "Dave Ito",
			subject:   "Cannot open the admin console",
			messageID: "html-only-7731@umbrella.example",
			reply: "Hello,\n\nThe admin console shows a blank page since the update. Steps:\n\n" +
				"- Open the console (https://console.umbrella.example/admin)\n- Log in as admin\n\n" +
				"Version 10.2.1\n\n[blank page]\n\nDave",
			attachments: []wantAttachment{{ContentType: "image/png", ContentID: "blank-page@umbrella.example", Inline: true, Size: 70}},
		},
		{
			file: "auto_reply.eml", verdict: mailmsg.VerdictAutoReply,
			from: "alice.tanaka@acme.example", name: "Alice Tanaka",
			subject:    "Automatic reply: [INC-2026-000042] Mail gateway rejects TLS connections",
			messageID:  "ooo-20261201-1@acme.example",
			reply:      "I am out of the office until 7 December with limited access to e-mail.",
			candidates: []mailmsg.Candidate{byIDA, subjA},
		},
		{
			file: "bounce.eml", verdict: mailmsg.VerdictBounce,
			from: "mailer-daemon@mx.acme.example", name: "Mail Delivery System",
			subject:   "Undelivered Mail Returned to Sender",
			messageID: "20261201011509.3C5D71C0001@mx.acme.example",
			reply: "This is the mail system at host mx.acme.example.\n\nI'm sorry to have to inform you that your message could not\n" +
				"be delivered to one or more recipients.\n\n<gone.user@acme.example>: host mbox.acme.example said: 550 5.1.1\n" +
				"    <gone.user@acme.example>: Recipient address rejected: User unknown",
			attachments: []wantAttachment{{ContentType: "text/rfc822-headers", Size: 274}},
			failed:      []string{"gone.user@acme.example"},
		},
		{
			file: "two_addresses.eml", verdict: mailmsg.VerdictNormal,
			from: "erin@hooli.example", name: "Erin Kobayashi",
			subject:   "Licence key rejected after renewal",
			messageID: "a7c9e1f3-two-addresses@hooli.example",
			reply:     "Hello,\n\nafter the renewal the new licence key is rejected with \"invalid key\".\nSerial: SN-2026-77341\n\nErin",
		},
		{
			file: "no_message_id.eml", verdict: mailmsg.VerdictNormal,
			from: "frank@legacy-host.example", subject: "scanner stopped",
			reply: "The virus scanner on host fs01 stopped at 15:40 and does not start again.",
		},
		{
			// Another customer quotes incident A's reference and a forged token: only the subject
			// candidate remains, which phase 2 accepts only from a participant.
			file: "other_customers_reference.eml", verdict: mailmsg.VerdictNormal,
			from: "mallory@contoso.example", name: "Mallory Endo",
			subject:    "Re: [INC-2026-000042] Mail gateway rejects TLS connections",
			messageID:  "mallory-1@contoso.example",
			reply:      "We have the same problem as in your incident below, since this morning.",
			candidates: []mailmsg.Candidate{subjA},
		},
	}
	files, _ := filepath.Glob("testdata/*.eml")
	if len(files) != len(cases) {
		t.Errorf("%d fixtures, %d cases: every fixture needs its expected outcome", len(files), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			raw := readFixture(t, tc.file)
			p, err := mailmsg.Parse(raw, mailmsg.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			c := mailmsg.Classify(p, mailmsg.LoopRules{OwnAddresses: ownAddresses, Signer: fixtureSigner})
			if c.Verdict != tc.verdict || c.MayAutoReply != (tc.verdict == mailmsg.VerdictNormal) {
				t.Errorf("classification = %+v, want %s", c, tc.verdict)
			}
			if !reflect.DeepEqual(c.FailedRecipients, tc.failed) {
				t.Errorf("failed recipients = %q, want %q", c.FailedRecipients, tc.failed)
			}
			if p.From.Email != tc.from || p.From.Name != tc.name {
				t.Errorf("from = %+v, want %q <%s>", p.From, tc.name, tc.from)
			}
			if p.Subject != tc.subject {
				t.Errorf("subject = %q, want %q", p.Subject, tc.subject)
			}
			if p.MessageID != tc.messageID {
				t.Errorf("Message-ID = %q, want %q", p.MessageID, tc.messageID)
			}
			if !p.HasDate || p.Date.IsZero() {
				t.Errorf("no date")
			}
			if p.Reply != tc.reply {
				t.Errorf("reply =\n%s\nwant\n%s", p.Reply, tc.reply)
			}
			if got := mailmsg.Candidates(p, fixtureSigner); !reflect.DeepEqual(got, tc.candidates) {
				t.Errorf("candidates =\n%+v\nwant\n%+v", got, tc.candidates)
			}
			var atts []wantAttachment
			for _, a := range p.Attachments {
				atts = append(atts, wantAttachment{a.Filename, a.ContentType, a.ContentID, a.Inline, a.Size})
				if int64(len(a.Data)) != a.Size || a.Oversize {
					t.Errorf("attachment %q: %d bytes kept of %d", a.Filename, len(a.Data), a.Size)
				}
			}
			if !reflect.DeepEqual(atts, tc.attachments) {
				t.Errorf("attachments = %+v, want %+v", atts, tc.attachments)
			}
			if p.Size != len(raw) {
				t.Errorf("size = %d, want %d", p.Size, len(raw))
			}
			key := mailmsg.DedupKey(p, raw)
			if tc.messageID != "" && key != "mid:"+tc.messageID || tc.messageID == "" && !strings.HasPrefix(key, "sha256:") {
				t.Errorf("dedup key = %q", key)
			}
		})
	}
}

// TestHTMLSanitised: the HTML kept for staff has no script, style or event handler, and its
// text has none of their content.
func TestHTMLSanitised(t *testing.T) {
	p, err := mailmsg.Parse(readFixture(t, "html_only.eml"), mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "alert", "<style", "color: red", "onload"} {
		if strings.Contains(p.HTML, bad) || strings.Contains(p.Text, bad) {
			t.Errorf("%q survived sanitising:\nHTML %s\ntext %s", bad, p.HTML, p.Text)
		}
	}
	if !strings.Contains(p.HTML, `<a href="https://console.umbrella.example/admin" rel="nofollow">the console</a>`) {
		t.Errorf("the link was not kept: %s", p.HTML)
	}
}

// TestGmailHTMLQuoteStripped: the quoted history of an HTML reply (Gmail's blockquote) is
// recognised exactly as in its plain-text alternative.
func TestGmailHTMLQuoteStripped(t *testing.T) {
	raw := readFixture(t, "gmail_reply.eml")
	// Keep only the HTML alternative.
	i := strings.Index(string(raw), "--000000000000a1b2c3d4e5f60718\nContent-Type: text/plain")
	j := strings.Index(string(raw), "--000000000000a1b2c3d4e5f60718\nContent-Type: text/html")
	htmlOnly := string(raw[:i]) + string(raw[j:])
	p, err := mailmsg.Parse([]byte(htmlOnly), mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := "Hi,\n\nThe restart did not help. The logs show the same handshake error after 10:30 JST.\n\nAlice"
	if p.Reply != want {
		t.Errorf("reply =\n%s\nwant\n%s\n(text was\n%s)", p.Reply, want, p.Text)
	}
}

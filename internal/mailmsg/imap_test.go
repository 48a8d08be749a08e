package mailmsg_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/mailtest"
)

// crlf gives a fixture the line ends IMAP serves it with: files on disk have bare LFs, which
// Dovecot stores and returns as CRLF.
func crlf(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

// summary is what the engine takes from a message, independent of line ends; it must not
// change on the way through a mail server.
func summary(t *testing.T, raw []byte) any {
	t.Helper()
	p, err := mailmsg.Parse(raw, mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, a := range p.Attachments {
		files = append(files, a.Filename+" "+a.ContentType+" "+a.ContentID)
	}
	return struct {
		From, Subject, MessageID, Text, Reply string
		To                                    []mailmsg.Address
		Class                                 mailmsg.Classification
		Candidates                            []mailmsg.Candidate
		Files                                 []string
	}{p.From.String(), p.Subject, p.MessageID, p.Text, p.Reply, p.To,
		mailmsg.Classify(p, mailmsg.LoopRules{OwnAddresses: ownAddresses, Signer: fixtureSigner}),
		mailmsg.Candidates(p, fixtureSigner), files}
}

// TestFixturesThroughIMAP: every fixture APPENDed to a real Dovecot comes back over IMAP intact
// (8-bit Shift_JIS included), under one UIDVALIDITY with ascending UIDs, and parses to the same
// result as the file.
func TestFixturesThroughIMAP(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	s := mailtest.StartIMAP(t)
	const user = "support@support.example.com"
	var validity uint32
	for i, f := range files {
		v, uid := s.Append(t, user, "INBOX", readFixture(t, filepath.Base(f)))
		if uint32(uid) != uint32(i+1) || (validity != 0 && v != validity) {
			t.Fatalf("%s: UIDVALIDITY %d UID %d", f, v, uid)
		}
		validity = v
	}
	got := s.Fetch(t, user, "INBOX")
	if len(got) != len(files) {
		t.Fatalf("fetched %d, appended %d", len(got), len(files))
	}
	for i, m := range got {
		raw := readFixture(t, filepath.Base(files[i]))
		if m.UIDValidity != validity || uint32(m.UID) != uint32(i+1) {
			t.Errorf("%s: UIDVALIDITY %d UID %d", files[i], m.UIDValidity, m.UID)
		}
		if !bytes.Equal(m.Raw, crlf(raw)) {
			t.Errorf("%s changed through IMAP:\n%q\nwant\n%q", files[i], m.Raw, crlf(raw))
		}
		if a, b := summary(t, m.Raw), summary(t, raw); !reflect.DeepEqual(a, b) {
			t.Errorf("%s parses differently through IMAP:\n%+v\nwant\n%+v", files[i], a, b)
		}
	}
}

// TestTwoSupportAddressesOverLMTP: a mail to two support addresses, delivered by LMTP as a mail
// server would, arrives in both mailboxes with different delivery headers and is recognised as
// one message.
func TestTwoSupportAddressesOverLMTP(t *testing.T) {
	s := mailtest.StartIMAP(t)
	if s.LMTPAddr == "" {
		t.Skip("Dovecot's LMTP service (dovecot-lmtpd) is not installed")
	}
	raw := readFixture(t, "two_addresses.eml")
	// Without the Delivered-To the fixture's own server added: Dovecot adds one per mailbox.
	raw = bytes.Replace(raw, []byte("Delivered-To: support@support.example.com\n"), nil, 1)
	rcpts := []string{"support@support.example.com", "sales-support@support.example.com"}
	for _, r := range rcpts {
		// One transaction per recipient, as Postfix delivers to separate mailboxes; Dovecot
		// then records each in Delivered-To (it leaves the field out for several at once).
		s.DeliverLMTP(t, "erin@hooli.example", []string{r}, crlf(raw))
	}
	var keys []string
	for _, r := range rcpts {
		got := s.Fetch(t, r, "INBOX")
		if len(got) != 1 || !bytes.Contains(got[0].Raw, []byte("Delivered-To: "+r)) {
			t.Fatalf("%s INBOX = %d messages", r, len(got))
		}
		p, err := mailmsg.Parse(got[0].Raw, mailmsg.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, mailmsg.DedupKey(p, got[0].Raw))
	}
	if keys[0] != keys[1] || keys[0] != "mid:a7c9e1f3-two-addresses@hooli.example" {
		t.Errorf("dedup keys = %q", keys)
	}
}

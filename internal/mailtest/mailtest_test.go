package mailtest_test

import (
	"bytes"
	"fmt"
	"net"
	"net/smtp"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/mailtest"
)

func sample(n int) []byte {
	return []byte(fmt.Sprintf("From: a@customer.example\r\nTo: support@support.example.com\r\nSubject: sample %d\r\n"+
		"Message-ID: <sample-%d@customer.example>\r\n\r\nbody %d\r\n", n, n, n))
}

// TestIMAPAppendFetch: messages APPENDed over IMAP come back byte for byte, with the UIDs and
// UIDVALIDITY APPENDUID announced, ascending; two users' mailboxes are apart.
func TestIMAPAppendFetch(t *testing.T) {
	s := mailtest.StartIMAP(t)
	var validity uint32
	for i := 1; i <= 3; i++ {
		v, uid := s.Append(t, "support@support.example.com", "INBOX", sample(i))
		if uint32(uid) != uint32(i) || (validity != 0 && v != validity) || v == 0 {
			t.Fatalf("APPEND %d: UIDVALIDITY %d UID %d", i, v, uid)
		}
		validity = v
	}
	s.Append(t, "other@support.example.com", "Archive", sample(9))
	got := s.Fetch(t, "support@support.example.com", "INBOX")
	if len(got) != 3 {
		t.Fatalf("fetched %d messages, want 3", len(got))
	}
	for i, m := range got {
		if m.UIDValidity != validity || uint32(m.UID) != uint32(i+1) || !bytes.Equal(m.Raw, sample(i+1)) {
			t.Errorf("message %d: UIDVALIDITY %d UID %d raw %q", i+1, m.UIDValidity, m.UID, m.Raw)
		}
	}
	if other := s.Fetch(t, "other@support.example.com", "Archive"); len(other) != 1 || !bytes.Equal(other[0].Raw, sample(9)) {
		t.Errorf("other user's Archive = %+v", other)
	}
}

// TestLMTPDelivery: a mail server's LMTP hand-off lands in the recipient's INBOX, where IMAP
// reads it (Dovecot adds its Return-Path and Delivered-To on top).
func TestLMTPDelivery(t *testing.T) {
	s := mailtest.StartIMAP(t)
	if s.LMTPAddr == "" {
		// StartIMAP insists on LMTP under CI; elsewhere its absence is a skip.
		t.Skip("Dovecot's LMTP service (dovecot-lmtpd) is not installed")
	}
	s.DeliverLMTP(t, "a@customer.example", []string{"support@support.example.com"}, sample(1))
	got := s.Fetch(t, "support@support.example.com", "INBOX")
	if len(got) != 1 || !bytes.HasSuffix(got[0].Raw, sample(1)) || !bytes.Contains(got[0].Raw, []byte("Delivered-To: support@support.example.com")) {
		t.Fatalf("INBOX after LMTP = %+v", got)
	}
}

// TestSMTPRecords: what a client sends arrives whole, with its envelope.
func TestSMTPRecords(t *testing.T) {
	s := mailtest.StartSMTP(t)
	if err := smtp.SendMail(s.Addr, nil, "support@support.example.com", []string{"a@customer.example", "b@customer.example"}, sample(1)); err != nil {
		t.Fatal(err)
	}
	got := s.Wait(t, 1, 10*time.Second)
	if len(got) != 1 || got[0].From != "support@support.example.com" || len(got[0].To) != 2 || !bytes.Equal(got[0].Data, sample(1)) {
		t.Errorf("received %+v", got)
	}
}

// TestDovecotStops: a stopped Dovecot no longer answers.
func TestDovecotStops(t *testing.T) {
	s := mailtest.StartIMAP(t)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", s.IMAPAddr, time.Second); err == nil {
		c.Close()
		t.Errorf("IMAP still answers at %s after Stop", s.IMAPAddr)
	}
}

package mailtest

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/supportd/supportd/internal/localsvc"
)

// IMAP is a Dovecot server of one test. Every user name exists, with the password Password.
type IMAP struct {
	*localsvc.Dovecot
}

// Message is a message read back over IMAP.
type Message struct {
	UIDValidity uint32
	UID         imap.UID
	Flags       []imap.Flag
	Raw         []byte
}

const ioTimeout = 30 * time.Second

// inCI reports whether the tests run in CI, where a missing server is a failure, not a skip.
func inCI() bool {
	switch strings.ToLower(os.Getenv("CI")) {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// skipOrFail skips a test whose server is not installed, or fails it under CI.
func skipOrFail(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, localsvc.ErrNotInstalled) && !inCI() {
		tb.Skip(err)
		return
	}
	tb.Fatal(err)
}

// StartIMAP starts Dovecot for this test, with LMTP when its service is installed (always under
// CI); it is stopped and its mail removed when the test ends. See the package comment for when
// the test is skipped.
func StartIMAP(tb testing.TB) *IMAP {
	tb.Helper()
	_, lmtp := localsvc.DovecotInstalled()
	return start(tb, lmtp || inCI())
}

func start(tb testing.TB, lmtp bool) *IMAP {
	tb.Helper()
	// Not tb.TempDir: as root Dovecot runs as the dovecot user, who cannot enter it.
	dir, err := os.MkdirTemp("", "mailtest-")
	if err == nil {
		err = os.Chmod(dir, 0o711)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	log, err := os.Create(filepath.Join(dir, "dovecot.log"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { log.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := localsvc.StartDovecot(ctx, filepath.Join(dir, "dovecot"), log, localsvc.DovecotOptions{LMTP: lmtp})
	if err != nil {
		skipOrFail(tb, err)
	}
	tb.Cleanup(func() {
		if err := d.Stop(); err != nil {
			tb.Error(err)
		}
	})
	return &IMAP{Dovecot: d}
}

// Login connects and logs in as user; the connection is closed when the test ends.
func (s *IMAP) Login(tb testing.TB, user string) *imapclient.Client {
	tb.Helper()
	c, err := imapclient.DialInsecure(s.IMAPAddr, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	if err := c.Login(user, s.Password).Wait(); err != nil {
		tb.Fatalf("mailtest: IMAP login as %s: %v", user, err)
	}
	return c
}

// Append stores raw in user's mailbox (created if missing) by IMAP APPEND and returns the
// UIDVALIDITY and UID the server gave it.
func (s *IMAP) Append(tb testing.TB, user, mailbox string, raw []byte) (uidValidity uint32, uid imap.UID) {
	tb.Helper()
	c := s.Login(tb, user)
	defer c.Logout()
	if !strings.EqualFold(mailbox, "INBOX") {
		if err := c.Create(mailbox, nil).Wait(); err != nil && !strings.Contains(err.Error(), "ALREADYEXISTS") {
			tb.Fatalf("mailtest: CREATE %s: %v", mailbox, err)
		}
	}
	cmd := c.Append(mailbox, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		tb.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		tb.Fatalf("mailtest: APPEND to %s: %v", mailbox, err)
	}
	return data.UIDValidity, data.UID
}

// Fetch returns every message in user's mailbox in UID order, whole (BODY.PEEK[], so they stay
// unseen), with the mailbox's UIDVALIDITY.
func (s *IMAP) Fetch(tb testing.TB, user, mailbox string) []Message {
	tb.Helper()
	c := s.Login(tb, user)
	defer c.Logout()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		tb.Fatalf("mailtest: SELECT %s: %v", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	body := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{body},
	}).Collect()
	if err != nil {
		tb.Fatalf("mailtest: FETCH %s: %v", mailbox, err)
	}
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, Message{UIDValidity: sel.UIDValidity, UID: m.UID, Flags: m.Flags, Raw: m.FindBodySection(body)})
	}
	return out
}

// DeliverLMTP delivers raw to the recipients over LMTP, as a mail server's transport would, and
// fails the test unless every recipient accepted it.
func (s *IMAP) DeliverLMTP(tb testing.TB, from string, rcpts []string, raw []byte) {
	tb.Helper()
	if s.LMTPAddr == "" {
		tb.Fatal("mailtest: this Dovecot has no LMTP service")
	}
	conn, err := net.DialTimeout("tcp", s.LMTPAddr, ioTimeout)
	if err != nil {
		tb.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(ioTimeout))
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mailtest.localhost"); err != nil {
		tb.Fatal(err)
	}
	if err := c.Mail(from, nil); err != nil {
		tb.Fatal(err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			tb.Fatalf("mailtest: LMTP RCPT %s: %v", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(w, strings.NewReader(string(raw))); err != nil {
		tb.Fatal(err)
	}
	if _, err := w.CloseWithLMTPResponse(); err != nil {
		tb.Fatalf("mailtest: LMTP delivery: %v", err)
	}
	_ = c.Quit()
}

package escalation

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Mailer sends e-mail over SMTP, configured by a URL: smtp://[user:pass@]host:port?from=addr.
// Plain SMTP, upgraded with STARTTLS when the server offers it, with optional AUTH PLAIN (only
// over TLS or loopback, as net/smtp enforces).
type Mailer struct {
	addr string
	host string
	from string
	auth smtp.Auth
}

// NewMailer parses SMTP_URL. An empty URL returns nil: e-mail is then switched off.
// Errors: a malformed URL.
func NewMailer(raw string) (*Mailer, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("SMTP_URL: want smtp://host:port?from=addr, got %q", raw)
	}
	host := u.Hostname()
	port := u.Port()
	if port == "" {
		port = "25"
	}
	m := &Mailer{addr: net.JoinHostPort(host, port), host: host, from: u.Query().Get("from")}
	if m.from == "" {
		m.from = "supportd@localhost"
	}
	if strings.ContainsAny(m.from, "\r\n<> ") {
		return nil, fmt.Errorf("SMTP_URL: from must be a plain address, got %q", m.from)
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		m.auth = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	return m, nil
}

// Email is one plain-text message.
type Email struct {
	To      string
	Subject string
	Body    string
	// MessageID (without angle brackets) lets receivers recognise a message sent twice: a
	// crash between sending and recording the delivery sends it again.
	MessageID string
}

// Send sends one message. It stops when ctx ends: the connection carries ctx's deadline and is
// closed on cancellation, so a server that stops answering cannot hold the caller.
// Errors: a bad recipient, or whatever the network or the server said.
func (m *Mailer) Send(ctx context.Context, e Email, now time.Time) error {
	if strings.ContainsAny(e.MessageID, "\r\n<> ") {
		return fmt.Errorf("bad message id %q", e.MessageID)
	}
	return m.SendMessage(ctx, []string{e.To}, []byte(m.message(e, now)))
}

// From is the envelope sender and From address of this mailer's mail (SMTP_URL's from), for
// composing a message to give SendMessage.
func (m *Mailer) From() string { return m.from }

// SendMessage sends a message composed elsewhere (mailmsg.Signer.Compose: threaded,
// multipart), as it is, to the recipients, from From(). Like Send it stops when ctx ends.
// Errors: a bad recipient, a message with bare line feeds (which SMTP forbids), or whatever
// the network or the server said.
func (m *Mailer) SendMessage(ctx context.Context, rcpts []string, msg []byte) (err error) {
	if len(rcpts) == 0 {
		return errors.New("no recipient")
	}
	for _, to := range rcpts {
		if strings.ContainsAny(to, "\r\n<>") || !strings.Contains(to, "@") {
			return fmt.Errorf("bad recipient %q", to)
		}
	}
	if bytes.Contains(bytes.ReplaceAll(msg, []byte("\r\n"), nil), []byte("\n")) {
		return errors.New("message has a bare line feed; compose it with CRLF line ends")
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer func() {
		if ctx.Err() != nil && err != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
	}()
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: m.host}); err != nil {
			return err
		}
	}
	if m.auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("smtp: server does not offer AUTH")
		}
		if err := c.Auth(m.auth); err != nil {
			return err
		}
	}
	if err := c.Mail(m.from); err != nil {
		return err
	}
	for _, to := range rcpts {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func (m *Mailer) message(e Email, now time.Time) string {
	domain := "supportd.local"
	if i := strings.LastIndexByte(m.from, '@'); i >= 0 && i < len(m.from)-1 {
		domain = m.from[i+1:]
	}
	h := "From: " + m.from + "\r\n" +
		"To: " + e.To + "\r\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", e.Subject) + "\r\n" +
		"Date: " + now.UTC().Format(time.RFC1123Z) + "\r\n"
	if e.MessageID != "" {
		h += "Message-ID: <" + e.MessageID + "@" + domain + ">\r\n"
	}
	// Out-of-office replies to a notification would only land in an unread mailbox (RFC 3834).
	h += "Auto-Submitted: auto-generated\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	// Quoted-printable keeps every line under SMTP's 998-octet limit and the message 7-bit clean,
	// whatever the body holds (long log excerpts, Japanese text).
	var b strings.Builder
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n", "\r\n")))
	_ = qp.Close()
	return h + b.String()
}

package mailmsg

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/google/uuid"
)

// MaxReferences caps the References field of composed mail: the incident's reference id and the
// newest ids up to this many. Long threads would otherwise grow the header without end.
const MaxReferences = 10

// Outgoing is one notification mail to compose.
type Outgoing struct {
	From    Address
	To, Cc  []Address
	ReplyTo []Address // e.g. the incident's plus-address
	// Subject without the reference; Compose prefixes "[INC-…] " unless it is already there.
	Subject string
	// Reference is the incident's human reference, e.g. INC-2026-000042.
	Reference      string
	IncidentID     uuid.UUID
	NotificationID uuid.UUID
	// InReplyTo is the Message-ID (without brackets) of the message answered, if any;
	// References are the ids of the thread so far, oldest first.
	InReplyTo  string
	References []string
	Text       string
	// HTML is the HTML alternative; empty means one made from Text.
	HTML string
	// AutoReplied marks an automatic answer to a customer's mail (Auto-Submitted:
	// auto-replied) rather than a notification (auto-generated), as RFC 3834 distinguishes.
	AutoReplied bool
	// Date is the Date field, from the caller's clock; required.
	Date time.Time
}

// Composed is a message ready for SMTP.
type Composed struct {
	MessageID string // without brackets
	Data      []byte // CRLF line ends, 7-bit clean
}

// Compose builds the mail for o: a Message-ID derived from the notification and incident, the
// threading fields with the incident's reference id always in References, the reference in the
// subject, the fields that stop autoresponders answering (Auto-Submitted and Microsoft's
// X-Auto-Response-Suppress), and a multipart/alternative body with text and HTML in UTF-8,
// quoted-printable or base64, whichever is shorter for the text. Non-ASCII names and subjects
// are RFC 2047 encoded and long fields folded.
// Errors: no recipient, no date (the caller gives it from its clock), or a field holding a
// line break.
func (s *Signer) Compose(o Outgoing) (*Composed, error) {
	if len(o.To) == 0 {
		return nil, errors.New("mailmsg: compose: no recipient")
	}
	if o.Date.IsZero() {
		// The caller's clock gives the date: a wall-clock default would bypass the injected one.
		return nil, errors.New("mailmsg: compose: no date")
	}
	for _, v := range []string{o.Subject, o.Reference, o.InReplyTo, o.From.Name, o.From.Email} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, errors.New("mailmsg: compose: line break in a header field")
		}
	}
	id := s.MessageID(o.NotificationID, o.IncidentID)
	var h gomail.Header
	h.SetDate(o.Date)
	h.Set("From", formatAddresses([]Address{o.From}))
	h.Set("To", formatAddresses(o.To))
	if len(o.Cc) > 0 {
		h.Set("Cc", formatAddresses(o.Cc))
	}
	if len(o.ReplyTo) > 0 {
		h.Set("Reply-To", formatAddresses(o.ReplyTo))
	}
	subject := o.Subject
	if o.Reference != "" && !strings.Contains(subject, "["+o.Reference+"]") {
		subject = "[" + o.Reference + "] " + subject
	}
	h.Set("Subject", encodeWords(subject))
	h.SetMessageID(id)
	if o.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{o.InReplyTo})
	}
	h.SetMsgIDList("References", s.references(o))
	if o.AutoReplied {
		h.Set("Auto-Submitted", "auto-replied")
	} else {
		h.Set("Auto-Submitted", "auto-generated")
	}
	h.Set("X-Auto-Response-Suppress", "All")
	// A boundary derived from the Message-ID: the same notification composes to the same bytes.
	sum := sha256.Sum256([]byte(id))
	h.SetContentType("multipart/alternative", map[string]string{"boundary": "sd-" + hex.EncodeToString(sum[:12])})

	h.Set("MIME-Version", "1.0")

	var buf bytes.Buffer
	w, err := message.CreateWriter(&buf, inOrder(h.Header, headerOrder))
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(strings.ReplaceAll(o.Text, "\r\n", "\n"), "\n", "\r\n")
	htmlBody := o.HTML
	if htmlBody == "" {
		htmlBody = textAsHTML(o.Text)
	}
	for _, part := range []struct{ mediaType, body string }{{"text/plain", text}, {"text/html", htmlBody}} {
		var ph message.Header
		ph.SetContentType(part.mediaType, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", transferEncoding(part.body))
		pw, err := w.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := pw.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &Composed{MessageID: id, Data: buf.Bytes()}, nil
}

// headerOrder is the order fields are written in, the conventional one.
var headerOrder = []string{
	"Date", "From", "To", "Cc", "Reply-To", "Subject", "Message-Id", "In-Reply-To", "References",
	"Auto-Submitted", "X-Auto-Response-Suppress", "Mime-Version", "Content-Type",
}

// inOrder returns h's fields in the order of keys (go-message puts each field it adds on top).
func inOrder(h message.Header, keys []string) message.Header {
	var out message.Header
	for i := len(keys) - 1; i >= 0; i-- {
		if v := h.Get(keys[i]); v != "" {
			out.Add(keys[i], v)
		}
	}
	return out
}

// references is the incident's id first, then the newest of the thread (and the message
// answered), at most MaxReferences in all.
func (s *Signer) references(o Outgoing) []string {
	root := s.IncidentMessageID(o.IncidentID)
	var rest []string
	for _, r := range append(append([]string(nil), o.References...), o.InReplyTo) {
		r = strings.Trim(strings.TrimSpace(r), "<>")
		if r == "" || r == root || strings.ContainsAny(r, " \t\r\n<>") {
			continue
		}
		if n := len(rest); n > 0 && rest[n-1] == r {
			continue
		}
		rest = append(rest, r)
	}
	if len(rest) > MaxReferences-1 {
		rest = rest[len(rest)-(MaxReferences-1):]
	}
	return append([]string{root}, rest...)
}

// formatAddresses writes an address list with non-ASCII names as encodeWords does.
func formatAddresses(list []Address) string {
	out := make([]string, len(list))
	for i, a := range list {
		if isASCII(a.Name) {
			out[i] = (&mail.Address{Name: a.Name, Address: a.Email}).String()
		} else {
			out[i] = encodeWords(a.Name) + " <" + a.Email + ">"
		}
	}
	return strings.Join(out, ", ")
}

// wordBytes is the most UTF-8 text in one encoded word: 39 bytes are 52 base64 characters, a
// 64-character word that fits on a folded line even after "Subject: " (RFC 5322's 78).
const wordBytes = 39

// encodeWords encodes non-ASCII text as RFC 2047 B words in UTF-8, which Japanese mail programs
// read (Q words would triple the length of Japanese text), split at character boundaries into
// words short enough that the header can be folded between them; ASCII stays as it is.
func encodeWords(s string) string {
	if isASCII(s) {
		return s
	}
	var words []string
	for len(s) > 0 {
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > wordBytes {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// transferEncoding picks quoted-printable for mostly ASCII text (readable in the raw) and
// base64 for text that is mostly not (Japanese), where quoted-printable would triple it.
func transferEncoding(s string) string {
	high := 0
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			high++
		}
	}
	if high*3 > len(s) {
		return "base64"
	}
	return "quoted-printable"
}

func textAsHTML(text string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\r\n<html><body>\r\n")
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>\r\n"))
		b.WriteString("</p>\r\n")
	}
	b.WriteString("</body></html>\r\n")
	return b.String()
}

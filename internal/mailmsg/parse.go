package mailmsg

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-2022-JP, Shift_JIS, EUC-JP and the rest for go-message
	gomail "github.com/emersion/go-message/mail"
)

// Address is one mailbox: a display name (decoded) and an address.
type Address struct {
	Name  string
	Email string
}

// String formats the address for a header, encoding a non-ASCII name (RFC 2047).
func (a Address) String() string {
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

// Limits bounds what Parse keeps from a message.
type Limits struct {
	// MaxMessageBytes: a larger message is parsed for its header only (Parsed.TooLarge), so the
	// sender can still be told. 0 means DefaultLimits' value.
	MaxMessageBytes int
	// MaxAttachmentBytes: a larger attachment is listed with its size but its bytes are dropped
	// (Attachment.Oversize). 0 means DefaultLimits' value.
	MaxAttachmentBytes int64
}

// DefaultLimits are the limits used where a Limits field is zero.
var DefaultLimits = Limits{MaxMessageBytes: 25 << 20, MaxAttachmentBytes: 10 << 20}

// Parsed is what the engine keeps of an incoming message.
type Parsed struct {
	From     Address
	ReplyTo  []Address
	To, Cc   []Address
	Subject  string // decoded
	Date     time.Time
	HasDate  bool
	Header   textproto.MIMEHeader // every field, undecoded, for classification
	TooLarge bool                 // over MaxMessageBytes: header only, no body or attachments
	Size     int                  // of the raw message in bytes

	// MessageID, InReplyTo and References are message identifiers without angle brackets.
	// MessageID is empty when the message has none (or an unusable one).
	MessageID  string
	InReplyTo  []string
	References []string

	// Text is the body as plain text: the text/plain part, or the sanitised HTML part converted
	// to text when there is no plain one. HTML is the sanitised HTML part, if any.
	Text string
	HTML string
	// Reply is Text with the quoted history (earlier messages the mail program appended or
	// quoted) removed; it is Text itself when nothing was recognised as quoted.
	Reply string

	Attachments []Attachment
	// Report is set for a delivery status notification (multipart/report; report-type=
	// delivery-status), a bounce.
	Report *DeliveryReport
}

// Attachment is an attached file or an inline image.
type Attachment struct {
	Filename    string
	ContentType string // lower-case media type, e.g. image/png
	ContentID   string // without angle brackets; set for inline images referenced by cid:
	Inline      bool
	Size        int64  // decoded size, also when Oversize
	Data        []byte // nil when Oversize
	Oversize    bool
}

// ErrMalformed is returned, wrapped, when a message cannot be read at all (no header).
var ErrMalformed = errors.New("mailmsg: malformed message")

// Parse reads a raw RFC 5322 message. Bodies in an unknown charset or transfer encoding are kept
// as best they can be rather than refused: a customer's mail is never lost for its encoding.
// Errors: ErrMalformed when not even the header can be read.
func Parse(raw []byte, lim Limits) (*Parsed, error) {
	if lim.MaxMessageBytes <= 0 {
		lim.MaxMessageBytes = DefaultLimits.MaxMessageBytes
	}
	if lim.MaxAttachmentBytes <= 0 {
		lim.MaxAttachmentBytes = DefaultLimits.MaxAttachmentBytes
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if ent == nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	h := gomail.Header{Header: ent.Header}
	p := &Parsed{Size: len(raw), Header: textproto.MIMEHeader(h.Map())}
	p.readHeader(h)
	if len(raw) > lim.MaxMessageBytes {
		p.TooLarge = true
		return p, nil
	}
	w := walker{p: p, lim: lim}
	w.entity(ent, "", 0)
	if p.Text == "" && p.HTML != "" {
		p.Text = htmlToText(p.HTML)
	}
	p.Text = normaliseText(p.Text)
	p.Reply = StripQuoted(p.Text)
	return p, nil
}

func (p *Parsed) readHeader(h gomail.Header) {
	p.Subject = decodeText(h.Get("Subject"), h)
	if from := addressList(h, "From"); len(from) > 0 {
		p.From = from[0]
	}
	p.ReplyTo = addressList(h, "Reply-To")
	p.To = addressList(h, "To")
	p.Cc = addressList(h, "Cc")
	if d, err := h.Date(); err == nil && !d.IsZero() {
		p.Date, p.HasDate = d, true
	}
	if ids := msgIDs(h.Get("Message-Id")); len(ids) > 0 {
		p.MessageID = ids[0]
	}
	p.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	p.References = msgIDs(h.Get("References"))
}

// decodeText decodes RFC 2047 words; raw 8-bit text in a header (which some Japanese mailers
// still send) is read in the charset the message declares for its body.
func decodeText(v string, h gomail.Header) string {
	dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
	s, err := dec.DecodeHeader(v)
	if err != nil {
		s = v
	}
	s = unlabelledJIS(s)
	if !utf8.ValidString(s) {
		_, params, _ := h.ContentType()
		if cs := params["charset"]; cs != "" && message.CharsetReader != nil {
			if r, err := message.CharsetReader(strings.ToLower(cs), strings.NewReader(s)); err == nil {
				var b bytes.Buffer
				if _, err := b.ReadFrom(r); err == nil {
					s = b.String()
				}
			}
		}
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
}

// addressList parses an address header; where it does not parse (mailers write broken ones),
// the pieces that look like addresses are kept.
func addressList(h gomail.Header, key string) []Address {
	list, err := h.AddressList(key)
	if err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Email: strings.ToLower(a.Address)})
		}
		return out
	}
	var out []Address
	for _, part := range strings.Split(decodeText(h.Get(key), h), ",") {
		part = strings.TrimSpace(part)
		addr := part
		name := ""
		if i, j := strings.LastIndexByte(part, '<'), strings.LastIndexByte(part, '>'); i >= 0 && j > i {
			addr, name = part[i+1:j], strings.Trim(strings.TrimSpace(part[:i]), `"`)
		}
		if strings.Count(addr, "@") == 1 && !strings.ContainsAny(addr, " \t") {
			out = append(out, Address{Name: name, Email: strings.ToLower(addr)})
		}
	}
	return out
}

// msgIDs extracts message identifiers leniently: the <…> tokens, or, where a mailer left the
// brackets out, the words that contain an @. An empty identifier is never returned.
func msgIDs(v string) []string {
	var ids []string
	for rest := v; ; {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(rest[i+1 : i+j]); id != "" && !strings.ContainsAny(id, " \t\r\n") {
			ids = append(ids, id)
		}
		rest = rest[i+j+1:]
	}
	if len(ids) == 0 && !strings.Contains(v, "<") {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				ids = append(ids, f)
			}
		}
	}
	return ids
}

// normaliseText makes line ends \n, drops trailing spaces on each line and surrounding blank lines.
func normaliseText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// unlabelledJIS decodes text that carries ISO-2022-JP escape sequences without saying so (no
// charset, or raw in a header), as old Japanese mail programs send it. Such text is 7-bit and
// would otherwise show its escape sequences; anything else is returned as it is.
func unlabelledJIS(s string) string {
	if !strings.Contains(s, "\x1b$B") && !strings.Contains(s, "\x1b$@") {
		return s
	}
	r, err := message.CharsetReader("iso-2022-jp", strings.NewReader(s))
	if err != nil {
		return s
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		return s
	}
	return b.String()
}

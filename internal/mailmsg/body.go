package mailmsg

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"net/textproto"
	"strings"

	"github.com/emersion/go-message"
)

// maxDepth bounds nesting: a message nesting multiparts deeper than any mail program does is
// not worth a stack.
const maxDepth = 20

// maxTextBytes bounds a body part read as text; the rest of a huge text part is dropped.
const maxTextBytes = 4 << 20

type walker struct {
	p   *Parsed
	lim Limits
}

// entity visits one MIME entity: multiparts recursively, the first text/plain and text/html
// parts that are not attachments become the body, everything else an attachment.
func (w *walker) entity(e *message.Entity, parent string, depth int) {
	if depth > maxDepth {
		return
	}
	mediaType, params, err := e.Header.ContentType()
	if err != nil || mediaType == "" {
		mediaType = "text/plain"
	}
	if mr := e.MultipartReader(); mr != nil {
		if mediaType == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status") && w.p.Report == nil {
			w.p.Report = &DeliveryReport{}
		}
		for {
			part, err := mr.NextPart()
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return
			}
			if part == nil {
				return
			}
			w.entity(part, mediaType, depth+1)
		}
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	filename := w.filename(e, dparams["filename"], params["name"])
	isAttachment := strings.EqualFold(disp, "attachment") || filename != ""
	switch {
	case mediaType == "message/delivery-status" || mediaType == "message/global-delivery-status":
		if w.p.Report != nil {
			w.p.Report.read(e.Body)
		}
		return
	case mediaType == "text/plain" && !isAttachment && (w.p.Text == "" || parent == "multipart/mixed"):
		// Apple Mail splits the text around an attachment into several parts of a
		// multipart/mixed; they are one body. Alternatives of the same text are not.
		if w.p.Text != "" {
			w.p.Text += "\n"
		}
		w.p.Text += readText(e.Body, params)
		return
	case mediaType == "text/html" && !isAttachment && w.p.HTML == "":
		w.p.HTML = sanitiseHTML(readText(e.Body, params))
		return
	}
	if (mediaType == "text/plain" || mediaType == "text/html") && !isAttachment {
		// A second body part (a mail program's alternative of an alternative): not a file.
		return
	}
	w.attachment(e, mediaType, disp, filename)
}

func (w *walker) attachment(e *message.Entity, mediaType, disp, filename string) {
	a := Attachment{
		Filename:    filename,
		ContentType: mediaType,
		ContentID:   strings.Trim(strings.TrimSpace(e.Header.Get("Content-Id")), "<>"),
		Inline:      strings.EqualFold(disp, "inline") || (disp == "" && e.Header.Get("Content-Id") != ""),
	}
	var buf bytes.Buffer
	n, _ := io.Copy(&buf, io.LimitReader(e.Body, w.lim.MaxAttachmentBytes+1))
	if n > w.lim.MaxAttachmentBytes {
		rest, _ := io.Copy(io.Discard, e.Body)
		a.Size, a.Oversize = n+rest, true
	} else {
		a.Size, a.Data = n, buf.Bytes()
	}
	w.p.Attachments = append(w.p.Attachments, a)
}

// filename takes the name from Content-Disposition or, as older mailers put it, Content-Type's
// name parameter; RFC 2231 is decoded by the mime package, RFC 2047 words (which Japanese mail
// programs use for file names) here.
func (w *walker) filename(e *message.Entity, fromDisp, fromType string) string {
	name := fromDisp
	if name == "" {
		name = fromType
	}
	if name == "" {
		return ""
	}
	dec := mime.WordDecoder{CharsetReader: message.CharsetReader}
	if s, err := dec.DecodeHeader(name); err == nil {
		name = s
	}
	// Only the last path element: a name is never a path on our side.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToValidUTF8(strings.TrimSpace(name), "\uFFFD")
}

// readText reads a text part (go-message has converted a labelled charset to UTF-8).
func readText(r io.Reader, params map[string]string) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxTextBytes))
	if params["charset"] == "" {
		return unlabelledJIS(string(b))
	}
	return string(b)
}

// DeliveryReport is what a bounce (RFC 3464) says about the recipients it could not deliver to.
type DeliveryReport struct {
	// FailedRecipients are the addresses whose Action is failed, lower-case, without the
	// address type (rfc822;).
	FailedRecipients []string
	// Status is the first failed recipient's status code, e.g. 5.1.1.
	Status string
	// Diagnostic is the first failed recipient's Diagnostic-Code, as the remote server put it.
	Diagnostic string
}

// read parses message/delivery-status: a per-message block, then one block per recipient, each
// in header syntax and separated by blank lines.
func (d *DeliveryReport) read(body io.Reader) {
	r := textproto.NewReader(bufio.NewReader(io.LimitReader(body, 1<<20)))
	for {
		// The per-message block has no Action, so it never counts as a recipient.
		h, err := r.ReadMIMEHeader()
		if len(h) > 0 {
			d.recipient(h)
		}
		if err != nil {
			return
		}
	}
}

func (d *DeliveryReport) recipient(h textproto.MIMEHeader) {
	if !strings.EqualFold(strings.TrimSpace(h.Get("Action")), "failed") {
		return
	}
	rcpt := h.Get("Final-Recipient")
	if rcpt == "" {
		rcpt = h.Get("Original-Recipient")
	}
	if i := strings.IndexByte(rcpt, ';'); i >= 0 {
		rcpt = rcpt[i+1:]
	}
	rcpt = strings.ToLower(strings.Trim(strings.TrimSpace(rcpt), "<>"))
	if rcpt == "" {
		return
	}
	if len(d.FailedRecipients) == 0 {
		d.Status = strings.TrimSpace(h.Get("Status"))
		d.Diagnostic = strings.TrimSpace(h.Get("Diagnostic-Code"))
	}
	d.FailedRecipients = append(d.FailedRecipients, rcpt)
}

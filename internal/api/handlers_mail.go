package api

import (
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets/inbound"
)

// mailboxWire is a mailbox as the API shows it: the secret is never returned, only whether one
// is set.
type mailboxWire struct {
	ID             uuid.UUID         `json:"id"`
	Name           string            `json:"name"`
	IMAPHost       string            `json:"imap_host"`
	IMAPPort       int               `json:"imap_port"`
	TLSMode        string            `json:"tls_mode"`
	Username       string            `json:"username"`
	HasSecret      bool              `json:"has_secret"`
	Folder         string            `json:"folder"`
	AfterImport    string            `json:"after_import"`
	MoveTo         string            `json:"move_to"`
	DefaultProduct string            `json:"default_product"`
	ProductMap     map[string]string `json:"product_map"`
	Addresses      []string          `json:"addresses"`
	Active         bool              `json:"active"`
	State          string            `json:"state" enum:"new|ok|failing"`
	LastError      string            `json:"last_error"`
	LastSuccessAt  *time.Time        `json:"last_success_at"`
	FailingSince   *time.Time        `json:"failing_since"`
	Failures       int               `json:"consecutive_failures"`
	UIDValidity    uint32            `json:"uid_validity"`
	LastUID        uint32            `json:"last_uid"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

func toMailboxWire(m inbound.Mailbox) mailboxWire {
	if m.ProductMap == nil {
		m.ProductMap = map[string]string{}
	}
	if m.Addresses == nil {
		m.Addresses = []string{}
	}
	return mailboxWire{ID: m.ID, Name: m.Name, IMAPHost: m.IMAPHost, IMAPPort: m.IMAPPort, TLSMode: m.TLSMode,
		Username: m.Username, HasSecret: m.HasSecret, Folder: m.Folder, AfterImport: m.AfterImport, MoveTo: m.MoveTo,
		DefaultProduct: m.DefaultProduct, ProductMap: m.ProductMap, Addresses: m.Addresses, Active: m.Active, State: m.State,
		LastError: m.LastError, LastSuccessAt: m.LastSuccessAt, FailingSince: m.FailingSince, Failures: m.Failures,
		UIDValidity: m.UIDValidity, LastUID: m.LastUID, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

type mailboxInputWire struct {
	Name           *string           `json:"name"`
	IMAPHost       *string           `json:"imap_host"`
	IMAPPort       *int              `json:"imap_port"`
	TLSMode        *string           `json:"tls_mode" enum:"tls|starttls|none"`
	Username       *string           `json:"username"`
	Secret         *string           `json:"secret"`
	Folder         *string           `json:"folder"`
	AfterImport    *string           `json:"after_import" enum:"seen|move|delete"`
	MoveTo         *string           `json:"move_to"`
	DefaultProduct *string           `json:"default_product"`
	ProductMap     map[string]string `json:"product_map"`
	Addresses      []string          `json:"addresses"`
	Active         *bool             `json:"active"`
}

func (w mailboxInputWire) toInput() inbound.MailboxInput {
	return inbound.MailboxInput{Name: w.Name, IMAPHost: w.IMAPHost, IMAPPort: w.IMAPPort, TLSMode: w.TLSMode, Username: w.Username,
		Secret: w.Secret, Folder: w.Folder, AfterImport: w.AfterImport, MoveTo: w.MoveTo, DefaultProduct: w.DefaultProduct,
		ProductMap: w.ProductMap, Addresses: w.Addresses, Active: w.Active}
}

func (s *Server) createMailbox(c *fiber.Ctx) error {
	var in mailboxInputWire
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.deps.Mail.CreateMailbox(c.UserContext(), caller(c), in.toInput())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toMailboxWire(m))
}

func (s *Server) listMailboxes(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	ms, next, err := s.deps.Mail.MailboxPage(c.UserContext(), caller(c), req)
	if err != nil {
		return err
	}
	out := make([]mailboxWire, len(ms))
	for i, m := range ms {
		out[i] = toMailboxWire(m)
	}
	return c.JSON(listPage[mailboxWire]{Items: out, Next: next})
}

func (s *Server) getMailbox(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := s.deps.Mail.GetMailbox(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toMailboxWire(m))
}

func (s *Server) patchMailbox(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in mailboxInputWire
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.deps.Mail.UpdateMailbox(c.UserContext(), caller(c), id, in.toInput())
	if err != nil {
		return err
	}
	return c.JSON(toMailboxWire(m))
}

func (s *Server) deleteMailbox(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Mail.DeleteMailbox(c.UserContext(), caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type inboundWire struct {
	ID           uuid.UUID  `json:"id"`
	MailboxID    *uuid.UUID `json:"mailbox_id"`
	Source       string     `json:"source" enum:"imap|lmtp|api"`
	State        string     `json:"state" enum:"stored|processed|ignored|lead|rejected|failed"`
	Outcome      string     `json:"outcome"`
	Error        string     `json:"error"`
	MessageID    string     `json:"message_id"`
	From         string     `json:"from"`
	Subject      string     `json:"subject"`
	Size         int        `json:"size"`
	IncidentID   *uuid.UUID `json:"incident_id"`
	Attempts     int        `json:"attempts"`
	ReceivedAt   time.Time  `json:"received_at"`
	ProcessedAt  *time.Time `json:"processed_at"`
	EnvelopeFrom string     `json:"envelope_from"`
	Recipients   []string   `json:"recipients"`
}

func toInboundWire(m inbound.Message) inboundWire {
	return inboundWire{ID: m.ID, MailboxID: m.MailboxID, Source: m.Source, State: m.State, Outcome: m.Outcome, Error: m.Error,
		MessageID: m.MessageID, From: m.FromAddress, Subject: m.Subject, Size: m.Size, IncidentID: m.IncidentID,
		Attempts: m.Attempts, ReceivedAt: m.ReceivedAt, ProcessedAt: m.ProcessedAt, EnvelopeFrom: m.EnvelopeFrom, Recipients: m.Recipients}
}

func (s *Server) listInbound(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	ms, next, err := s.deps.Mail.Messages(c.UserContext(), caller(c), inbound.MessageFilter{State: c.Query("state")}, req)
	if err != nil {
		return err
	}
	out := make([]inboundWire, len(ms))
	for i, m := range ms {
		out[i] = toInboundWire(m)
	}
	return c.JSON(listPage[inboundWire]{Items: out, Next: next})
}

func (s *Server) reprocessInbound(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := s.deps.Mail.Reprocess(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(toInboundWire(m))
}

func (s *Server) listUndeliverable(c *fiber.Ctx) error {
	if !caller(c).Role.Staff() {
		return apperr.New(apperr.Forbidden, "forbidden", "staff only")
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	list, next, err := s.deps.Mail.UndeliverableAddresses(c.UserContext(), req)
	if err != nil {
		return err
	}
	out := make([]undeliverableWire, len(list))
	for i, u := range list {
		out[i] = undeliverableWire{u.Address, u.UndeliverableAt.UTC(), u.Reason, u.BounceID}
	}
	return c.JSON(listPage[undeliverableWire]{Items: out, Next: next})
}

// undeliverableWire is an address a bounce reported undeliverable.
type undeliverableWire struct {
	Address         string     `json:"address"`
	UndeliverableAt time.Time  `json:"undeliverable_at"`
	Reason          string     `json:"reason"`
	BounceID        *uuid.UUID `json:"bounce_message_id"`
}

type attachmentWire struct {
	ID          uuid.UUID  `json:"id"`
	IncidentID  uuid.UUID  `json:"incident_id"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"content_type"`
	ContentID   string     `json:"content_id,omitempty"`
	Inline      bool       `json:"inline"`
	Size        int64      `json:"size"`
	FromMail    bool       `json:"from_mail"`
	UploadedBy  *uuid.UUID `json:"uploaded_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

func toAttachmentWire(a inbound.Attachment) attachmentWire {
	return attachmentWire{ID: a.ID, IncidentID: a.IncidentID, Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID,
		Inline: a.Inline, Size: a.Size, FromMail: a.InboundMessageID != nil, UploadedBy: a.UploadedBy, CreatedAt: a.CreatedAt}
}

func (s *Server) listAttachments(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	list, next, err := s.deps.Mail.Attachments(c.UserContext(), caller(c), id, req)
	if err != nil {
		return err
	}
	out := make([]attachmentWire, len(list))
	for i, a := range list {
		out[i] = toAttachmentWire(a)
	}
	return c.JSON(listPage[attachmentWire]{Items: out, Next: next})
}

// getAttachment sends the file as a download: never rendered inline by the browser (a mail's
// HTML or SVG file could otherwise run in our origin), and not sniffed.
func (s *Server) getAttachment(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	aid, err := uuid.Parse(c.Params("aid"))
	if err != nil {
		return apperr.NotFoundf("attachment not found")
	}
	a, err := s.deps.Mail.AttachmentData(c.UserContext(), caller(c), id, aid)
	if err != nil {
		return err
	}
	name := a.Filename
	if name == "" {
		name = "attachment"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name})+
		"; filename*=UTF-8''"+url.PathEscape(name))
	return c.Send(a.Data)
}

func (s *Server) addAttachment(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	fh, err := uploadedFile(c)
	if err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	a, err := s.deps.Mail.AddAttachment(c.UserContext(), caller(c), id, fh.Filename, fh.Header.Get("Content-Type"), data)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAttachmentWire(a))
}

// uploadedFile is the one file of a multipart/form-data upload, in the field "file". Like a JSON
// body, the form takes no other fields, and the file's name is text held to the same rules.
// Errors: malformed_request (not a form, no file), unknown_field, invalid_text, too_long (file).
func uploadedFile(c *fiber.Ctx) (*multipart.FileHeader, error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, apperr.New(apperr.Malformed, "malformed_request", "send multipart/form-data with the file in the field \"file\"")
	}
	for name := range form.Value {
		return nil, &apperr.Error{Kind: apperr.Invalid, Code: "unknown_field", Field: name,
			Message: name + " is not a field of this upload; send only the file, in the field \"file\""}
	}
	for name := range form.File {
		if name != "file" {
			return nil, &apperr.Error{Kind: apperr.Invalid, Code: "unknown_field", Field: name,
				Message: name + " is not a field of this upload; send the file in the field \"file\""}
		}
	}
	files := form.File["file"]
	if len(files) != 1 {
		return nil, apperr.New(apperr.Malformed, "malformed_request", "send exactly one file, in the field \"file\"")
	}
	if err := checkParam("file", files[0].Filename); err != nil {
		return nil, err
	}
	return files[0], nil
}

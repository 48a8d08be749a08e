package inbound

import (
	"context"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
)

// Attachment is a file of an incident: from a mail (attached or an inline image) or uploaded
// through the API. Data is only filled by AttachmentData.
type Attachment struct {
	ID               uuid.UUID
	IncidentID       uuid.UUID
	InboundMessageID *uuid.UUID
	Filename         string
	ContentType      string
	ContentID        string
	Inline           bool
	Size             int64
	UploadedBy       *uuid.UUID
	CreatedAt        time.Time
	Data             []byte
}

// storeAttachments keeps a mail's files under the incident; files over the size limit were
// dropped by the parser. Storing them again (a second run) adds nothing.
func (s *Service) storeAttachments(ctx context.Context, m mail, incID uuid.UUID) error {
	now := s.clock.Now()
	var rows []attachmentRow
	for i, a := range m.p.Attachments {
		if a.Oversize || a.Data == nil {
			continue
		}
		msgID := m.row.ID
		row := attachmentRow{ID: uuid.Must(uuid.NewV7()), IncidentID: incID, InboundMessageID: &msgID, Ordinal: i,
			Filename: cleanName(a.Filename), ContentType: orDefault(a.ContentType), ContentID: a.ContentID, Inline: a.Inline,
			Size: int64(len(a.Data)), Data: a.Data, CreatedAt: now}
		rows = append(rows, row)
	}
	return s.store.insertMailAttachments(ctx, rows)
}

func orDefault(ct string) string {
	if ct == "" {
		return "application/octet-stream"
	}
	return ct
}

// cleanName keeps a file name without directories or control characters.
func cleanName(n string) string {
	n = path.Base(strings.ReplaceAll(n, `\`, "/"))
	if n == "." || n == "/" {
		return ""
	}
	return truncate(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, n), 255)
}

// visible returns the incident if the caller may see it (not_found otherwise).
func (s *Service) visible(ctx context.Context, actor accounts.User, incID uuid.UUID) (tickets.Incident, error) {
	return s.incidents.Get(ctx, actor, incID)
}

// Attachments lists a page of an incident's files (without their bytes) in upload order, and
// the next page's cursor, for whoever may see the incident.
// Errors: not_found (also an incident of another organisation), invalid_value (limit, cursor).
func (s *Service) Attachments(ctx context.Context, actor accounts.User, incID uuid.UUID, req page.Request) ([]Attachment, string, error) {
	if _, err := s.visible(ctx, actor, incID); err != nil {
		return nil, "", err
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	return s.store.findAttachmentPage(ctx, incID, req)
}

// AttachmentData returns one file with its bytes for whoever may see the incident.
// Errors: not_found (also an incident of another organisation, or a file of another incident).
func (s *Service) AttachmentData(ctx context.Context, actor accounts.User, incID, id uuid.UUID) (Attachment, error) {
	if _, err := s.visible(ctx, actor, incID); err != nil {
		return Attachment{}, err
	}
	return s.store.findAttachment(ctx, incID, id)
}

// AddAttachment stores a file uploaded through the API, by whoever may act on the incident
// (customers of its circle, staff who work incidents).
// Errors: not_found, forbidden, not_in_group, invalid_value (empty), too_large.
func (s *Service) AddAttachment(ctx context.Context, actor accounts.User, incID uuid.UUID, filename, contentType string, data []byte) (Attachment, error) {
	if actor.Role == accounts.Executive {
		return Attachment{}, apperr.New(apperr.Forbidden, "forbidden", "only support staff and the customer may add files")
	}
	inc, err := s.visible(ctx, actor, incID)
	if err != nil {
		return Attachment{}, err
	}
	if !tickets.MayAct(actor, inc) {
		return Attachment{}, apperr.New(apperr.Forbidden, "not_in_group", "you may see this incident but not add to it")
	}
	if len(data) == 0 {
		return Attachment{}, apperr.InvalidField("file", "the file is empty")
	}
	if int64(len(data)) > s.cfg.Limits.MaxAttachmentBytes {
		return Attachment{}, apperr.New(apperr.TooLarge, "attachment_too_large", "a file may be at most %d bytes", s.cfg.Limits.MaxAttachmentBytes)
	}
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		contentType = mt
	} else {
		contentType = "application/octet-stream"
	}
	row := attachmentRow{ID: uuid.Must(uuid.NewV7()), IncidentID: incID, Filename: cleanName(filename), ContentType: contentType,
		Size: int64(len(data)), Data: data, UploadedBy: &actor.ID, CreatedAt: s.clock.Now().Truncate(time.Microsecond)}
	if err := s.store.insertAttachment(ctx, row); err != nil {
		return Attachment{}, err
	}
	row.Data = nil
	return row.toAttachment(), nil
}

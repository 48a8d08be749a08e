package inbound

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm/clause"
)

type attachmentRow struct {
	ID               uuid.UUID `gorm:"primaryKey"`
	IncidentID       uuid.UUID
	InboundMessageID *uuid.UUID
	Ordinal          int
	Filename         string
	ContentType      string
	ContentID        string
	Inline           bool
	Size             int64
	Data             []byte
	UploadedBy       *uuid.UUID
	CreatedAt        time.Time
}

func (attachmentRow) TableName() string { return "incident_attachments" }

func (r attachmentRow) toAttachment() Attachment {
	return Attachment{ID: r.ID, IncidentID: r.IncidentID, InboundMessageID: r.InboundMessageID, Filename: r.Filename,
		ContentType: r.ContentType, ContentID: r.ContentID, Inline: r.Inline, Size: r.Size, UploadedBy: r.UploadedBy,
		CreatedAt: r.CreatedAt.UTC(), Data: r.Data}
}

// insertMailAttachments stores a mail's files one by one; a file stored by an earlier run (the
// same message and ordinal) is kept as it is.
func (s *Store) insertMailAttachments(ctx context.Context, rows []attachmentRow) error {
	for i := range rows {
		if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows[i]).Error; err != nil {
			return dbx.Translate(err, "attachment")
		}
	}
	return nil
}

// insertAttachment stores an uploaded file.
func (s *Store) insertAttachment(ctx context.Context, row attachmentRow) error {
	return dbx.Translate(s.db.WithContext(ctx).Create(&row).Error, "attachment")
}

// findAttachment returns one file of the incident with its bytes. Errors: not_found.
func (s *Store) findAttachment(ctx context.Context, incID, id uuid.UUID) (Attachment, error) {
	var r attachmentRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ? AND incident_id = ?", id, incID).Error; err != nil {
		return Attachment{}, dbx.Translate(err, "attachment")
	}
	return r.toAttachment(), nil
}

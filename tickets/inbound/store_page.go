package inbound

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
)

// findMessagePage returns up to req.Limit+1 stored messages (without their raw bytes) of the
// state (all when empty) after req.Cursor, newest first.
func (s *Store) findMessagePage(ctx context.Context, state string, req page.Request) ([]Message, error) {
	q := s.db.WithContext(ctx).Omit("raw").Order("received_at DESC, id DESC").Limit(req.Limit + 1)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	q, err := dbx.AfterCursor(q, req.Cursor, "received_at", dbx.NewestFirst)
	if err != nil {
		return nil, err
	}
	var rows []messageRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "inbound messages")
	}
	out := make([]Message, len(rows))
	for i, r := range rows {
		out[i] = r.toMessage()
	}
	return out, nil
}

// findAttachmentPage returns a page of an incident's files (without their bytes) in upload
// order, and the next page's cursor. Files of one mail share a time, so the cursor's ID is
// "ordinal/id".
func (s *Store) findAttachmentPage(ctx context.Context, incID uuid.UUID, req page.Request) ([]Attachment, string, error) {
	q := s.db.WithContext(ctx).Omit("data").Where("incident_id = ?", incID).Order("created_at, ordinal, id").Limit(req.Limit + 1)
	if req.Cursor != nil {
		ord, id, err := attachmentCursor(*req.Cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(created_at, ordinal, id) > (?, ?, ?)", req.Cursor.At, ord, id)
	}
	var rows []attachmentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", dbx.Translate(err, "attachments")
	}
	rows, next := page.Cut(rows, req.Limit, func(r attachmentRow) page.Cursor {
		return page.Cursor{At: r.CreatedAt, ID: fmt.Sprintf("%d/%s", r.Ordinal, r.ID)}
	})
	out := make([]Attachment, len(rows))
	for i, r := range rows {
		out[i] = r.toAttachment()
	}
	return out, next, nil
}

func attachmentCursor(c page.Cursor) (int, uuid.UUID, error) {
	o, rest, ok := strings.Cut(c.ID, "/")
	ord, err := strconv.Atoi(o)
	if !ok || err != nil {
		return 0, uuid.Nil, apperr.InvalidField("cursor", "cursor is not one this server issued")
	}
	id, err := (page.Cursor{ID: rest}).UUID()
	return ord, id, err
}

// findMailboxPage returns up to req.Limit+1 mailboxes after req.Cursor, oldest first.
func (s *Store) findMailboxPage(ctx context.Context, req page.Request) ([]Mailbox, error) {
	q := s.db.WithContext(ctx).Order("created_at, id").Limit(req.Limit + 1)
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.OldestFirst)
	if err != nil {
		return nil, err
	}
	var rows []mailboxRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "mailboxes")
	}
	out := make([]Mailbox, len(rows))
	for i, r := range rows {
		out[i] = r.toMailbox()
	}
	return out, nil
}

// findUndeliverablePage returns up to req.Limit+1 undeliverable addresses after req.Cursor,
// newest first; the address breaks ties.
func (s *Store) findUndeliverablePage(ctx context.Context, req page.Request) ([]Undeliverable, error) {
	q := s.db.WithContext(ctx).Table("mail_addresses").Select("address, undeliverable_at, reason, bounce_id").
		Order("undeliverable_at DESC, address DESC").Limit(req.Limit + 1)
	if req.Cursor != nil {
		q = q.Where("(undeliverable_at, address) < (?, ?)", req.Cursor.At, req.Cursor.ID)
	}
	var out []Undeliverable
	err := q.Scan(&out).Error
	return out, dbx.Translate(err, "mail addresses")
}

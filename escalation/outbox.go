package escalation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

// Channel is how a notification reaches its recipient.
type Channel string

// Channels.
const (
	ChannelInbox   Channel = "inbox"   // in-app, delivered when written
	ChannelEmail   Channel = "email"   // SMTP, delivered by the outbox worker
	ChannelWebhook Channel = "webhook" // signed HTTP POST, delivered by the outbox worker
)

// Message is one notification to write to the outbox.
type Message struct {
	// ID is the row's ID when the producer needs it beforehand (an e-mail's Message-ID, which
	// the next mail of the thread refers to); zero draws a new one.
	ID          uuid.UUID
	RecipientID *uuid.UUID
	Channel     Channel
	Kind        string // e.g. "renewal_reminder", "escalation", "breach"
	IncidentID  *uuid.UUID
	Subject     string
	Body        string
	Data        map[string]any
	// DedupKey names the fact being told, so writing the same fact twice (a duplicate task
	// delivery, two workers) stores one notification.
	DedupKey string
	// WebhookID names the subscription of a ChannelWebhook message (and only of one).
	WebhookID *uuid.UUID
}

type notificationRow struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	RecipientID   *uuid.UUID
	Channel       string
	Kind          string
	IncidentID    *uuid.UUID
	Subject       string
	Body          string
	Data          map[string]any `gorm:"serializer:json"`
	DedupKey      string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	DeliveredAt   *time.Time
	ReadAt        *time.Time
	LastError     string
	WebhookID     *uuid.UUID
	CreatedAt     time.Time
}

func (notificationRow) TableName() string { return "notifications" }

// Notification states. An outbox row is pending until sent, and failed once it has used up its
// attempts (or can never be sent).
const (
	statePending   = "pending"
	stateDelivered = "delivered"
	stateFailed    = "failed"
)

// enqueue writes messages in the caller's transaction tx, so a notification exists exactly when
// the fact it tells was committed; messages whose DedupKey exists are skipped, and inbox messages
// are delivered by being written. It returns the IDs of the rows it inserted, so that a producer
// can ask for their prompt delivery once its transaction has committed. Rows are written in
// multi-row statements of up to enqueueChunk rows.
func enqueue(ctx context.Context, tx *gorm.DB, now time.Time, msgs []Message) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	for len(msgs) > 0 {
		n := min(len(msgs), enqueueChunk)
		got, err := insertMessages(ctx, tx, now, msgs[:n])
		if err != nil {
			return ids, err
		}
		ids, msgs = append(ids, got...), msgs[n:]
	}
	return ids, nil
}

// enqueueChunk keeps a statement's parameters (14 per row) well under PostgreSQL's 65,535.
const enqueueChunk = 1000

func insertMessages(ctx context.Context, tx *gorm.DB, now time.Time, msgs []Message) ([]uuid.UUID, error) {
	args := make([]any, 0, 14*len(msgs))
	for _, m := range msgs {
		data := m.Data
		if data == nil {
			data = map[string]any{}
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return nil, apperr.InvalidField("data", "notification data is not JSON: %v", err)
		}
		state, delivered := statePending, (*time.Time)(nil)
		if m.Channel == ChannelInbox {
			state, delivered = stateDelivered, &now
		}
		id := m.ID
		if id == uuid.Nil {
			id = uuid.Must(uuid.NewV7())
		}
		args = append(args, id, m.RecipientID, string(m.Channel), m.Kind, m.IncidentID, m.Subject, m.Body,
			string(raw), m.DedupKey, state, now, delivered, m.WebhookID, now)
	}
	sql := `INSERT INTO notifications (id, recipient_id, channel, kind, incident_id, subject, body, data, dedup_key,
		state, next_attempt_at, delivered_at, webhook_id, created_at) VALUES ` +
		dbx.Values(len(msgs), "(?::uuid, ?::uuid, ?, ?, ?::uuid, ?, ?, ?::jsonb, ?, ?, ?::timestamptz, ?::timestamptz, ?::uuid, ?::timestamptz)") +
		" ON CONFLICT (dedup_key) DO NOTHING RETURNING id"
	var ids []uuid.UUID
	if err := tx.WithContext(ctx).Raw(sql, args...).Scan(&ids).Error; err != nil {
		return nil, dbx.Translate(err, "notification")
	}
	return ids, nil
}

// Notification is an inbox entry as its recipient sees it.
type Notification struct {
	ID         uuid.UUID
	Kind       string
	IncidentID *uuid.UUID
	Subject    string
	Body       string
	Data       map[string]any
	CreatedAt  time.Time
	ReadAt     *time.Time
}

// Inbox reads in-app notifications.
type Inbox struct {
	db *gorm.DB
}

// NewInbox returns the inbox over db.
func NewInbox(db *gorm.DB) *Inbox { return &Inbox{db: db} }

// List returns the reader's in-app notifications, newest first, a page at a time (see
// internal/page), and the next page's cursor (empty on the last page); unreadOnly leaves out the
// read ones. A customer reads only the kinds meant for customers (NoteAudience), whatever was
// addressed to them.
// Errors: invalid_value (cursor, limit).
func (i *Inbox) List(ctx context.Context, reader accounts.User, unreadOnly bool, req page.Request) ([]Notification, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	q := i.db.WithContext(ctx).Where("recipient_id = ? AND channel = 'inbox'", reader.ID)
	if tickets.ReaderAudience(reader) != tickets.AudienceStaff {
		q = q.Where("kind IN ?", customerNoteKinds())
	}
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	q, err = dbx.AfterCursor(q, req.Cursor, "created_at", dbx.NewestFirst)
	if err != nil {
		return nil, "", err
	}
	var rows []notificationRow
	if err := q.Order("created_at DESC, id DESC").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", dbx.Translate(err, "notifications")
	}
	out := make([]Notification, len(rows))
	for k, r := range rows {
		out[k] = Notification{ID: r.ID, Kind: r.Kind, IncidentID: r.IncidentID, Subject: r.Subject, Body: r.Body,
			Data: r.Data, CreatedAt: r.CreatedAt.UTC(), ReadAt: r.ReadAt}
	}
	out, next := page.Cut(out, req.Limit, func(n Notification) page.Cursor { return page.Cursor{At: n.CreatedAt, ID: n.ID.String()} })
	return out, next, nil
}

// MarkRead marks the user's notification read; another user's is not_found.
func (i *Inbox) MarkRead(ctx context.Context, userID, id uuid.UUID, now time.Time) error {
	res := i.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ? AND recipient_id = ? AND channel = 'inbox'", id, userID).
		Update("read_at", gorm.Expr("COALESCE(read_at, ?)", now))
	if res.Error != nil {
		return dbx.Translate(res.Error, "notification")
	}
	if res.RowsAffected == 0 {
		return dbx.Translate(gorm.ErrRecordNotFound, "notification")
	}
	return nil
}

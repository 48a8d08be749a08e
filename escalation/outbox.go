package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
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

// Notification states. An outbox row is pending until sent, and failed once it has used up its
// attempts (or can never be sent).
const (
	statePending   = "pending"
	stateDelivered = "delivered"
	stateFailed    = "failed"
)

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
	store *Store
}

// NewInbox returns the inbox over store.
func NewInbox(store *Store) *Inbox { return &Inbox{store: store} }

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
	var kinds []string
	if tickets.ReaderAudience(reader) != tickets.AudienceStaff {
		kinds = customerNoteKinds()
	}
	rows, err := i.store.findInbox(ctx, reader.ID, kinds, unreadOnly, req)
	if err != nil {
		return nil, "", err
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
	return i.store.markRead(ctx, userID, id, now)
}

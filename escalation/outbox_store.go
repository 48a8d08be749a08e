package escalation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
)

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

// writeMessages is enqueue in tx, at the transaction's now.
func writeMessages(ctx context.Context, tx dbx.Tx, msgs []Message) ([]uuid.UUID, error) {
	return enqueue(ctx, tx.Gorm(), tx.Now(), msgs)
}

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

// findInbox returns up to req.Limit+1 of the user's inbox rows after req.Cursor, newest first:
// only those of kinds when kinds is not nil, only unread ones when unreadOnly.
func (s *Store) findInbox(ctx context.Context, userID uuid.UUID, kinds []string, unreadOnly bool, req page.Request) ([]notificationRow, error) {
	q := s.db.WithContext(ctx).Where("recipient_id = ? AND channel = 'inbox'", userID)
	if kinds != nil {
		q = q.Where("kind IN ?", kinds)
	}
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.NewestFirst)
	if err != nil {
		return nil, err
	}
	var rows []notificationRow
	if err := q.Order("created_at DESC, id DESC").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "notifications")
	}
	return rows, nil
}

// markRead marks the user's inbox row read (the first time counts); another user's is not_found.
func (s *Store) markRead(ctx context.Context, userID, id uuid.UUID, now time.Time) error {
	res := s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ? AND recipient_id = ? AND channel = 'inbox'", id, userID).
		Update("read_at", gorm.Expr("COALESCE(read_at, ?)", now))
	if res.Error != nil {
		return dbx.Translate(res.Error, "notification")
	}
	if res.RowsAffected == 0 {
		return dbx.Translate(gorm.ErrRecordNotFound, "notification")
	}
	return nil
}

// outboxCount is how many rows of a channel are in a state and, for pending ones, when the
// oldest was written.
type outboxCount struct {
	Channel string
	N       int64
	Oldest  time.Time
}

// countPending returns the pending rows by channel, with the oldest's creation time. It walks
// the partial index of pending rows.
func (s *Store) countPending(ctx context.Context) ([]outboxCount, error) {
	var out []outboxCount
	err := s.db.WithContext(ctx).Raw(`SELECT channel, count(*) AS n, min(created_at) AS oldest FROM notifications WHERE state = ? GROUP BY channel`,
		statePending).Scan(&out).Error
	return out, dbx.Translate(err, "notifications")
}

// countFailed returns the rows failed for good, by channel.
func (s *Store) countFailed(ctx context.Context) ([]outboxCount, error) {
	var out []outboxCount
	err := s.db.WithContext(ctx).Raw(`SELECT channel, count(*) AS n FROM notifications WHERE state = ? GROUP BY channel`, stateFailed).Scan(&out).Error
	return out, dbx.Translate(err, "notifications")
}

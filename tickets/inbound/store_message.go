package inbound

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm/clause"
)

type messageRow struct {
	ID           uuid.UUID `gorm:"primaryKey"`
	MailboxID    *uuid.UUID
	Source       string
	DedupKey     string
	EnvelopeFrom string
	Recipients   []string `gorm:"serializer:json"`
	Raw          []byte
	Size         int
	State        string
	Outcome      string
	Error        string
	MessageID    string
	FromAddress  string
	Subject      string
	IncidentID   *uuid.UUID
	Attempts     int
	LeaseUntil   *time.Time
	ReceivedAt   time.Time
	ProcessedAt  *time.Time
}

func (messageRow) TableName() string { return "inbound_messages" }

func (r messageRow) toMessage() Message {
	m := Message{ID: r.ID, MailboxID: r.MailboxID, Source: r.Source, DedupKey: r.DedupKey, EnvelopeFrom: r.EnvelopeFrom,
		Recipients: r.Recipients, Size: r.Size, State: r.State, Outcome: r.Outcome, Error: r.Error, MessageID: r.MessageID,
		FromAddress: r.FromAddress, Subject: r.Subject, IncidentID: r.IncidentID, Attempts: r.Attempts,
		ReceivedAt: r.ReceivedAt.UTC()}
	if r.ProcessedAt != nil {
		t := r.ProcessedAt.UTC()
		m.ProcessedAt = &t
	}
	return m
}

// insertMessage stores a message unless a copy with its dedup key is stored, and returns the
// ID of the stored copy: row.ID when this one was stored.
func (s *Store) insertMessage(ctx context.Context, row messageRow) (uuid.UUID, error) {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	if res.Error != nil {
		return uuid.Nil, dbx.Translate(res.Error, "inbound message")
	}
	if res.RowsAffected > 0 {
		return row.ID, nil
	}
	var first messageRow
	if err := s.db.WithContext(ctx).Select("id").Take(&first, "dedup_key = ?", row.DedupKey).Error; err != nil {
		return uuid.Nil, dbx.Translate(err, "inbound message")
	}
	return first.ID, nil
}

// findMessage returns a stored message without its raw bytes. Errors: not_found.
func (s *Store) findMessage(ctx context.Context, id uuid.UUID) (Message, error) {
	var r messageRow
	if err := s.db.WithContext(ctx).Omit("raw").Take(&r, "id = ?", id).Error; err != nil {
		return Message{}, dbx.Translate(err, "inbound message")
	}
	return r.toMessage(), nil
}

// resetMessage puts a failed, lead or rejected message back to stored; reset is false when the
// message is in another state (or does not exist).
func (s *Store) resetMessage(ctx context.Context, id uuid.UUID) (reset bool, err error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE inbound_messages SET state = 'stored', error = '', outcome = '', lease_until = NULL
		WHERE id = ? AND state IN ('failed', 'lead', 'rejected')`, id)
	if res.Error != nil {
		return false, dbx.Translate(res.Error, "inbound message")
	}
	return res.RowsAffected > 0, nil
}

// findUnprocessed returns stored messages received before receivedBefore whose lease (if any)
// ended before now, oldest first.
func (s *Store) findUnprocessed(ctx context.Context, receivedBefore, now time.Time, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Model(&messageRow{}).Where("state = 'stored' AND received_at < ? AND (lease_until IS NULL OR lease_until < ?)",
		receivedBefore, now).Order("received_at").Limit(limit).Pluck("id", &ids).Error
	return ids, dbx.Translate(err, "inbound messages")
}

// leaseMessage takes a stored message no run holds until the given time and counts the attempt;
// the row's ID is zero when the message is held, processed or gone.
func (s *Store) leaseMessage(ctx context.Context, id uuid.UUID, now, until time.Time) (messageRow, error) {
	var row messageRow
	res := s.db.WithContext(ctx).Raw(`UPDATE inbound_messages SET lease_until = ?, attempts = attempts + 1
		WHERE id = ? AND state = 'stored' AND (lease_until IS NULL OR lease_until < ?) RETURNING *`,
		until, id, now).Scan(&row)
	return row, dbx.Translate(res.Error, "inbound message")
}

// messageState returns a message's state ("" when it does not exist).
func (s *Store) messageState(ctx context.Context, id uuid.UUID) (string, error) {
	var state string
	err := s.db.WithContext(ctx).Model(&messageRow{}).Where("id = ?", id).Pluck("state", &state).Error
	return state, dbx.Translate(err, "inbound message")
}

// releaseMessage ends a run's lease after a transient error, keeping the error for staff.
func (s *Store) releaseMessage(ctx context.Context, id uuid.UUID, errText string) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE inbound_messages SET lease_until = NULL, error = ? WHERE id = ?`, errText, id).Error
	return dbx.Translate(err, "inbound message")
}

// settleMessage records what processing made of a message and ends its lease.
func (s *Store) settleMessage(ctx context.Context, id uuid.UUID, r result, now time.Time) error {
	return dbx.Translate(s.db.WithContext(ctx).Exec(`UPDATE inbound_messages SET state = ?, outcome = ?, error = ?, incident_id = ?,
		lease_until = NULL, processed_at = ? WHERE id = ?`, r.state, r.outcome, r.errText, r.incident, now, id).Error, "inbound message")
}

// findIncidentsOfMessageIDs returns the incidents that stored messages with these Message-IDs
// (other than the message except) were filed under.
func (s *Store) findIncidentsOfMessageIDs(ctx context.Context, messageIDs []string, except uuid.UUID) ([]uuid.UUID, error) {
	var found []uuid.UUID
	err := s.db.WithContext(ctx).Model(&messageRow{}).Where("message_id IN ? AND incident_id IS NOT NULL AND id <> ?", messageIDs, except).
		Distinct().Pluck("incident_id", &found).Error
	return found, dbx.Translate(err, "inbound messages")
}

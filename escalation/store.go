package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store reads and writes the tables escalation owns (escalations, notifications, followers and
// notification choices, webhooks): every SQL statement of the package is in its store files.
// What a producer writes inside its own transaction takes that dbx.Tx instead of the pool.
type Store struct{ db *gorm.DB }

// NewStore returns the store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// The outbox queries. Every state change is a conditional UPDATE, so that several workers
// racing on one row agree on who sends it and a late writer cannot undo a delivery.

// subscribersIn is findSubscribers read in tx.
func subscribersIn(ctx context.Context, tx dbx.Tx, kind string, org *uuid.UUID) ([]uuid.UUID, error) {
	return findSubscribers(ctx, tx.Gorm(), kind, org)
}

// findSubscribers returns the active webhooks that want a note of kind about organisation org
// (nil: none): those listing the kind, and those listing nothing (every kind). Global
// subscriptions get every note; an organisation's only customer-visible notes of that
// organisation.
func findSubscribers(ctx context.Context, tx *gorm.DB, kind string, org *uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	q := tx.WithContext(ctx).Model(&webhookRow{}).
		Where("active AND (events = '[]'::jsonb OR events @> jsonb_build_array(?::text))", kind)
	if org != nil && NoteAudience(kind) == tickets.AudienceCustomer {
		q = q.Where("(organization_id IS NULL OR organization_id = ?)", *org)
	} else {
		q = q.Where("organization_id IS NULL")
	}
	if err := q.Order("created_at, id").Pluck("id", &ids).Error; err != nil {
		return nil, dbx.Translate(err, "webhooks")
	}
	return ids, nil
}

// findOutboxRow returns the notification, or not_found.
func (s *Store) findOutboxRow(ctx context.Context, id uuid.UUID) (notificationRow, error) {
	var r notificationRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return r, dbx.Translate(err, "notification")
	}
	return r, nil
}

// dueRow is what a sweep needs to plan its deliveries.
type dueRow struct {
	ID        uuid.UUID
	Channel   string
	WebhookID *uuid.UUID
}

// findDue returns up to limit pending e-mail and webhook rows due at now, oldest due first, and
// at most perDest of them for any one destination: a dead endpoint's backlog must not fill the
// sweep and starve the healthy ones.
func (s *Store) findDue(ctx context.Context, now time.Time, limit, perDest int) ([]dueRow, error) {
	var rows []dueRow
	err := s.db.WithContext(ctx).Raw(`SELECT id, channel, webhook_id FROM (
			SELECT id, channel, webhook_id, next_attempt_at,
				row_number() OVER (PARTITION BY channel, webhook_id ORDER BY next_attempt_at, id) AS n
			FROM notifications WHERE state = ? AND channel IN ? AND next_attempt_at <= ?
		) due WHERE n <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		statePending, outboxChannels, now, perDest, limit).Scan(&rows).Error
	if err != nil {
		return nil, dbx.Translate(err, "notifications")
	}
	return rows, nil
}

var outboxChannels = []string{string(ChannelEmail), string(ChannelWebhook)}

// claim takes the row for one attempt: it counts the attempt and leases the row until
// leaseUntil, past which a sweep may take it again (the claimant crashed). A row never tried
// is claimable at once, whatever its next_attempt_at says, so a producer's clock running ahead
// of ours does not hold up the fast path. ok is false when the row is not pending, not due, or
// held by another claimant. The returned row's Attempts fences the outcome's write.
func (s *Store) claim(ctx context.Context, id uuid.UUID, now, leaseUntil time.Time) (r notificationRow, ok bool, err error) {
	res := s.db.WithContext(ctx).Raw(`UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?
		WHERE id = ? AND state = ? AND channel IN ? AND (attempts = 0 OR next_attempt_at <= ?)
		RETURNING *`, leaseUntil, id, statePending, outboxChannels, now).Scan(&r)
	if res.Error != nil {
		return r, false, dbx.Translate(res.Error, "notification")
	}
	return r, res.RowsAffected == 1, nil
}

// markDelivered records a successful send. It does not check the lease: the message went out,
// whoever else may be trying too, and a delivered row is never sent again.
func (s *Store) markDelivered(ctx context.Context, id uuid.UUID, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ? AND state = ?", id, statePending).
		Updates(map[string]any{"state": stateDelivered, "delivered_at": at, "last_error": ""}).Error
	return dbx.Translate(err, "notification")
}

// markFailed records a failed attempt, unless a later claimant has taken the row since (its
// attempts moved on): then the outcome is theirs to record.
func (s *Store) markFailed(ctx context.Context, id uuid.UUID, attempt int, reason string, next time.Time, final bool) error {
	state := statePending
	if final {
		state = stateFailed
	}
	err := s.db.WithContext(ctx).Model(&notificationRow{}).Where("id = ? AND state = ? AND attempts = ?", id, statePending, attempt).
		Updates(map[string]any{"state": state, "last_error": reason, "next_attempt_at": next}).Error
	return dbx.Translate(err, "notification")
}

// isNotFound reports whether err is a not_found.
func isNotFound(err error) bool { return apperr.KindOf(err) == apperr.NotFound }

// mailTokenKey returns the mail token key kept in PostgreSQL, storing fresh first when there is
// none, so that every process and every restart signs alike.
func (s *Store) mailTokenKey(ctx context.Context, fresh []byte) ([]byte, error) {
	var key []byte
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Table("mail_token_keys").
			Create(map[string]any{"id": 1, "key": fresh, "created_at": gorm.Expr("now()")}).Error; err != nil {
			return err
		}
		return tx.Raw("SELECT key FROM mail_token_keys WHERE id = 1").Row().Scan(&key)
	})
	return key, err
}

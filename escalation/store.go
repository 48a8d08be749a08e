package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

// The outbox queries. Every state change is a conditional UPDATE, so that several workers
// racing on one row agree on who sends it and a late writer cannot undo a delivery.

// recipient is what the outbox needs of a user: where to mail them, and whether they read as a
// customer.
type recipient struct {
	Email    string
	Customer bool
}

// findRecipients returns each user among ids that exists.
func findRecipients(ctx context.Context, tx *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]recipient, error) {
	out := make(map[uuid.UUID]recipient, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID    uuid.UUID
		Email string
		Role  string
	}
	if err := tx.WithContext(ctx).Table("users").Select("id, email, role").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "recipients")
	}
	for _, r := range rows {
		out[r.ID] = recipient{Email: r.Email, Customer: accounts.Role(r.Role).Customer()}
	}
	return out, nil
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
func findOutboxRow(ctx context.Context, db *gorm.DB, id uuid.UUID) (notificationRow, error) {
	var r notificationRow
	if err := db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
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
func findDue(ctx context.Context, db *gorm.DB, now time.Time, limit, perDest int) ([]dueRow, error) {
	var rows []dueRow
	err := db.WithContext(ctx).Raw(`SELECT id, channel, webhook_id FROM (
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
func claim(ctx context.Context, db *gorm.DB, id uuid.UUID, now, leaseUntil time.Time) (r notificationRow, ok bool, err error) {
	res := db.WithContext(ctx).Raw(`UPDATE notifications SET attempts = attempts + 1, next_attempt_at = ?
		WHERE id = ? AND state = ? AND channel IN ? AND (attempts = 0 OR next_attempt_at <= ?)
		RETURNING *`, leaseUntil, id, statePending, outboxChannels, now).Scan(&r)
	if res.Error != nil {
		return r, false, dbx.Translate(res.Error, "notification")
	}
	return r, res.RowsAffected == 1, nil
}

// markDelivered records a successful send. It does not check the lease: the message went out,
// whoever else may be trying too, and a delivered row is never sent again.
func markDelivered(ctx context.Context, db *gorm.DB, id uuid.UUID, at time.Time) error {
	err := db.WithContext(ctx).Model(&notificationRow{}).Where("id = ? AND state = ?", id, statePending).
		Updates(map[string]any{"state": stateDelivered, "delivered_at": at, "last_error": ""}).Error
	return dbx.Translate(err, "notification")
}

// markFailed records a failed attempt, unless a later claimant has taken the row since (its
// attempts moved on): then the outcome is theirs to record.
func markFailed(ctx context.Context, db *gorm.DB, id uuid.UUID, attempt int, reason string, next time.Time, final bool) error {
	state := statePending
	if final {
		state = stateFailed
	}
	err := db.WithContext(ctx).Model(&notificationRow{}).Where("id = ? AND state = ? AND attempts = ?", id, statePending, attempt).
		Updates(map[string]any{"state": state, "last_error": reason, "next_attempt_at": next}).Error
	return dbx.Translate(err, "notification")
}

// findAddress returns the recipient's e-mail address, or not_found.
func findAddress(ctx context.Context, db *gorm.DB, userID uuid.UUID) (string, error) {
	var email string
	res := db.WithContext(ctx).Table("users").Select("email").Where("id = ?", userID).Scan(&email)
	if res.Error != nil {
		return "", dbx.Translate(res.Error, "recipient")
	}
	if res.RowsAffected == 0 {
		return "", dbx.Translate(gorm.ErrRecordNotFound, "recipient")
	}
	return email, nil
}

// isNotFound reports whether err is a not_found.
func isNotFound(err error) bool { return apperr.KindOf(err) == apperr.NotFound }

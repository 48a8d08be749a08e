package inbound

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// markUndeliverable records (or refreshes) an address a bounce reported.
func (s *Store) markUndeliverable(ctx context.Context, addr, reason string, bounce uuid.UUID, now time.Time) error {
	err := s.db.WithContext(ctx).Exec(`INSERT INTO mail_addresses (address, undeliverable_at, reason, bounce_id)
		VALUES (?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET undeliverable_at = excluded.undeliverable_at,
		reason = excluded.reason, bounce_id = excluded.bounce_id`, addr, now, reason, bounce).Error
	return dbx.Translate(err, "mail address")
}

// isUndeliverable reports whether a bounce marked the address (compared in lower case).
func (s *Store) isUndeliverable(ctx context.Context, addr string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT count(*) FROM mail_addresses WHERE address = lower(?)`, addr).Scan(&n).Error
	return n > 0, dbx.Translate(err, "mail address")
}

// claimAutoReply records the answer of the kind to the message's sender on day, unless the
// message had one already or the address had max today. Counting and claiming are one
// statement, so two runs at once cannot both pass the cap. ok is whether the answer is claimed.
func (s *Store) claimAutoReply(ctx context.Context, msgID uuid.UUID, kind, to, day string, now time.Time, max int) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`INSERT INTO mail_auto_replies (inbound_message_id, kind, address, day, sent_at)
		SELECT ?, ?, ?, ?::date, ? WHERE (SELECT count(*) FROM mail_auto_replies WHERE address = ? AND day = ?::date) < ?
		ON CONFLICT DO NOTHING`, msgID, kind, to, day, now, to, day, max)
	if res.Error != nil {
		return false, dbx.Translate(res.Error, "automatic answer")
	}
	return res.RowsAffected > 0, nil
}

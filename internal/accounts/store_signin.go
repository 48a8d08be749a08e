package accounts

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

type failureRow struct {
	ID   int64 `gorm:"primaryKey"`
	Kind string
	Key  string
	At   time.Time
}

func (failureRow) TableName() string { return "sign_in_failures" }

type linkRow struct {
	Digest    []byte `gorm:"primaryKey"`
	UserID    uuid.UUID
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (linkRow) TableName() string { return "sign_in_links" }

func (s *Store) throttled(ctx context.Context, email, ip string, now time.Time) (bool, error) {
	var n struct{ ByAddress, ByClient int64 }
	err := s.db.WithContext(ctx).Raw(`SELECT
		count(*) FILTER (WHERE kind = 'email' AND key = ?) AS by_address,
		count(*) FILTER (WHERE kind = 'ip' AND key = ?) AS by_client
		FROM sign_in_failures WHERE at > ? AND ((kind = 'email' AND key = ?) OR (kind = 'ip' AND key = ?))`,
		email, ip, now.Add(-ThrottleWindow), email, ip).Scan(&n).Error
	if err != nil {
		return false, dbx.Translate(err, "sign-in failures")
	}
	return n.ByAddress >= MaxFailuresPerAddress || (ip != "" && n.ByClient >= MaxFailuresPerClient), nil
}

func (s *Store) recordFailure(ctx context.Context, email, ip string, now time.Time) error {
	rows := []failureRow{{Kind: "email", Key: clip(email, 320), At: now}}
	if ip != "" {
		rows = append(rows, failureRow{Kind: "ip", Key: clip(ip, 64), At: now})
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Old failures no longer count; dropping them here keeps the table as small as the window.
		if err := tx.Where("at < ?", now.Add(-ThrottleWindow)).Delete(&failureRow{}).Error; err != nil {
			return err
		}
		return tx.Create(&rows).Error
	})
	return dbx.Translate(err, "sign-in failure")
}

// findUserRowByEmail returns the user with the address (compared in lower case); found is
// false, with no error, when there is none.
func (s *Store) findUserRowByEmail(ctx context.Context, email string) (r userRow, found bool, err error) {
	err = s.db.WithContext(ctx).Take(&r, "lower(email) = ?", email).Error
	if dbx.NotFound(err) {
		return userRow{}, false, nil
	}
	if err != nil {
		return userRow{}, false, dbx.Translate(err, "user")
	}
	return r, true, nil
}

// countLinksSince counts the sign-in links made for the user after since.
func (s *Store) countLinksSince(ctx context.Context, userID uuid.UUID, since time.Time) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&linkRow{}).Where("user_id = ? AND created_at > ?", userID, since).Count(&n).Error
	return n, dbx.Translate(err, "sign-in links")
}

// insertLink stores a sign-in link (its digest only).
func (s *Store) insertLink(ctx context.Context, l linkRow) error {
	return dbx.Translate(s.db.WithContext(ctx).Create(&l).Error, "sign-in link")
}

// spendLink marks the link with this digest used at now, if it is unused, unexpired, and its user
// still has the address it was sent to and is not deactivated; ok is whether it was spent.
// Spending and checking are one statement, so two clicks of the same link cannot both win.
func (s *Store) spendLink(ctx context.Context, digest []byte, now time.Time) (l linkRow, ok bool, err error) {
	res := s.db.WithContext(ctx).Raw(`UPDATE sign_in_links l SET used_at = ? FROM users u
		WHERE l.digest = ? AND l.used_at IS NULL AND l.expires_at > ? AND u.id = l.user_id
		AND lower(u.email) = l.email AND u.deactivated_at IS NULL RETURNING l.*`, now, digest, now).Scan(&l)
	if res.Error != nil {
		return linkRow{}, false, dbx.Translate(res.Error, "sign-in link")
	}
	return l, res.RowsAffected > 0, nil
}

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

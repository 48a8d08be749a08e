package accounts

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// storePassword hashes and stores the password and revokes the user's sessions but keep.
func (s *Store) storePassword(ctx context.Context, userID uuid.UUID, plain string, keep *uuid.UUID) error {
	h, err := HashPassword(plain)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"password_hash": h, "updated_at": now}).Error; err != nil {
			return err
		}
		q := tx.Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL", userID)
		if keep != nil {
			q = q.Where("id <> ?", *keep)
		}
		return q.Update("revoked_at", now).Error
	})
	return dbx.Translate(err, "password")
}

func (s *Store) passwordHash(ctx context.Context, userID uuid.UUID) (string, error) {
	var h *string
	if err := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).Select("password_hash").Scan(&h).Error; err != nil {
		return "", dbx.Translate(err, "user")
	}
	if h == nil {
		return "", nil
	}
	return *h, nil
}

func (s *Store) updatePreferences(ctx context.Context, userID uuid.UUID, locale, zone string, now time.Time) error {
	err := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"locale": locale, "time_zone": zone, "updated_at": now}).Error
	return dbx.Translate(err, "user")
}

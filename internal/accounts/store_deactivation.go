package accounts

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

var errDeactivated = apperr.New(apperr.Conflict, "user_deactivated", "the user is deactivated; an admin can reactivate them (POST /v1/users/{id}/reactivate)")

// setDeactivated deactivates the user (keeping the first deactivation's time) and revokes
// every token they hold, in one transaction under the user's row lock. It returns how many
// tokens it revoked.
func (s *Store) setDeactivated(ctx context.Context, userID uuid.UUID) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock.Now()
		res := tx.Model(&userRow{}).Where("id = ?", userID).
			Updates(map[string]any{"deactivated_at": gorm.Expr("coalesce(deactivated_at, ?)", now), "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		res = tx.Model(&tokenRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now)
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		if err := tx.Model(&linkRow{}).Where("user_id = ? AND used_at IS NULL", userID).Update("used_at", now).Error; err != nil {
			return err
		}
		return tx.Model(&sessionRow{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error
	})
	return n, dbx.Translate(err, "user")
}

// clearDeactivated reactivates the user. Their revoked tokens stay revoked.
func (s *Store) clearDeactivated(ctx context.Context, userID uuid.UUID) (User, error) {
	res := s.db.WithContext(ctx).Model(&userRow{}).Where("id = ? AND deactivated_at IS NOT NULL", userID).
		Updates(map[string]any{"deactivated_at": nil, "updated_at": s.clock.Now()})
	if res.Error != nil {
		return User{}, dbx.Translate(res.Error, "user")
	}
	return s.FindUserByID(ctx, userID)
}

package accounts

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// FindUserNameTx returns a user's display name, read through another package's transaction so
// that a step holding one does not wait for a second connection (a lifecycle message names the
// engineer). Errors: not_found.
func (s *Store) FindUserNameTx(ctx context.Context, tx dbx.Tx, id uuid.UUID) (string, error) {
	var names []string
	if err := tx.Gorm().WithContext(ctx).Model(&userRow{}).Where("id = ?", id).Pluck("name", &names).Error; err != nil {
		return "", dbx.Translate(err, "user")
	}
	if len(names) == 0 {
		return "", dbx.Translate(gorm.ErrRecordNotFound, "user")
	}
	return names[0], nil
}

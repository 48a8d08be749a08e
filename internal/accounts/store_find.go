package accounts

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
)

// The look-ups other packages make in batches (escalation's ladder, outbox and followers): one
// statement per call however many IDs, and the "In" forms read through the caller's transaction
// so that a step holding one does not wait for a second pooled connection.

// FindUsers returns the users with the given IDs, by ID; missing ones are absent.
func (s *Store) FindUsers(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]User, error) {
	out := make(map[uuid.UUID]User, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []userRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "users")
	}
	for _, r := range rows {
		out[r.ID] = r.toUser()
	}
	return out, nil
}

// FindUsersIn is FindUsers read in tx.
func (s *Store) FindUsersIn(ctx context.Context, tx dbx.Tx, ids []uuid.UUID) (map[uuid.UUID]User, error) {
	return s.With(tx.Gorm()).FindUsers(ctx, ids)
}

// FindOrganizationsIn is FindOrganizations read in tx.
func (s *Store) FindOrganizationsIn(ctx context.Context, tx dbx.Tx, ids []uuid.UUID) (map[uuid.UUID]Organization, error) {
	return s.With(tx.Gorm()).FindOrganizations(ctx, ids)
}

// FindStaffIn is FindStaff read in tx.
func (s *Store) FindStaffIn(ctx context.Context, tx dbx.Tx, office string, roles ...Role) ([]User, error) {
	return s.With(tx.Gorm()).FindStaff(ctx, office, roles...)
}

// FindUserWithCircle returns the user with what decides which incidents they may see, loaded
// as Authenticate loads it: their circle (everyone sharing a group with them) and their
// organisation's incident visibility. Deactivated users are returned too (DeactivatedAt set).
// Errors: not_found, storage errors.
func (s *Store) FindUserWithCircle(ctx context.Context, id uuid.UUID) (User, error) {
	u, err := s.authUser(ctx, `users u LEFT JOIN organizations o ON o.id = u.organization_id WHERE u.id = ?`, id)
	if errors.Is(err, errUnauthorized) {
		return User{}, apperr.NotFoundf("user not found")
	}
	return u, err
}

package accounts

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
)

// findOrganizationsPage returns up to req.Limit+1 organisations after req.Cursor, oldest first.
func (s *Store) findOrganizationsPage(ctx context.Context, req page.Request) ([]Organization, error) {
	q := s.db.WithContext(ctx).Model(&organizationRow{})
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.OldestFirst)
	if err != nil {
		return nil, err
	}
	var rows []organizationRow
	if err := q.Order("created_at, id").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "organizations")
	}
	out := make([]Organization, len(rows))
	for i, r := range rows {
		out[i] = r.toOrganization()
	}
	return out, nil
}

// findStaffPage returns up to req.Limit+1 staff with one of the roles (of the office when not
// empty) after req.Cursor, oldest first.
func (s *Store) findStaffPage(ctx context.Context, office string, roles []Role, req page.Request) ([]User, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	q := s.db.WithContext(ctx).Where("organization_id IS NULL AND role IN ?", names)
	if office != "" {
		q = q.Where("office = ?", office)
	}
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.OldestFirst)
	if err != nil {
		return nil, err
	}
	var rows []userRow
	if err := q.Order("created_at, id").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "users")
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, nil
}

// updateTSAM sets (uuid.Nil: clears) the organisation's TSAM.
func (s *Store) updateTSAM(ctx context.Context, orgID, tsam uuid.UUID) (Organization, error) {
	var v any
	if tsam != uuid.Nil {
		v = tsam
	}
	res := s.db.WithContext(ctx).Model(&organizationRow{}).Where("id = ?", orgID).
		Updates(map[string]any{"tsam_id": v, "updated_at": s.clock.Now()})
	if res.Error != nil {
		return Organization{}, dbx.Translate(res.Error, "organization")
	}
	if res.RowsAffected == 0 {
		return Organization{}, apperr.NotFoundf("organization not found")
	}
	return s.FindOrganizationByID(ctx, orgID)
}

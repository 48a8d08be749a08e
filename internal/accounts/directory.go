package accounts

import (
	"context"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// ListOrganizations lists organisations, oldest first, a page at a time (see internal/page):
// staff see every one, a customer only their own.
// Errors: invalid_value (cursor, limit).
func (s *Store) ListOrganizations(ctx context.Context, actor User, req page.Request) ([]Organization, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	if actor.Role.Customer() {
		if actor.OrganizationID == nil || req.Cursor != nil {
			return []Organization{}, "", nil
		}
		o, err := s.FindOrganizationByID(ctx, *actor.OrganizationID)
		if err != nil {
			return nil, "", err
		}
		return []Organization{o}, "", nil
	}
	orgs, err := s.findOrganizationsPage(ctx, req)
	if err != nil {
		return nil, "", err
	}
	orgs, next := page.Cut(orgs, req.Limit, func(o Organization) page.Cursor {
		return page.Cursor{At: o.CreatedAt, ID: o.ID.String()}
	})
	return orgs, next, nil
}

// StaffFilter narrows ListStaff; empty fields match everyone.
type StaffFilter struct {
	Role   Role
	Office string
}

// ListStaff lists vendor staff, oldest first, a page at a time: for staff only (customers are
// forbidden: who works at the vendor is not theirs to list). Deactivated staff are listed with
// their deactivation time.
// Errors: forbidden, invalid_value (role, cursor, limit).
func (s *Store) ListStaff(ctx context.Context, actor User, f StaffFilter, req page.Request) ([]User, string, error) {
	if !actor.Role.Staff() {
		return nil, "", errForbidden
	}
	roles := []Role{Engineer, SupportManager, Executive, Admin}
	if f.Role != "" {
		if !f.Role.Staff() {
			return nil, "", apperr.InvalidField("role", "role must be engineer, support_manager, executive or admin")
		}
		roles = []Role{f.Role}
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	users, err := s.findStaffPage(ctx, f.Office, roles, req)
	if err != nil {
		return nil, "", err
	}
	users, next := page.Cut(users, req.Limit, func(u User) page.Cursor { return page.Cursor{At: u.CreatedAt, ID: u.ID.String()} })
	return users, next, nil
}

package accounts

import (
	"context"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// NewOrganization is the input of CreateOrganization.
type NewOrganization struct {
	Name   string
	Office string
	Tier   string
	TSAMID *uuid.UUID
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Email          string
	Name           string
	Role           Role
	Senior         bool
	OrganizationID *uuid.UUID
	Office         string
}

var tiers = map[string]bool{"standard": true, "premium": true, "platinum": true}

// CreateOrganization creates a customer organisation. Only admins may.
// Errors: forbidden, invalid_value (name, tier, tsam_id), organization_exists.
func (s *Store) CreateOrganization(ctx context.Context, actor User, in NewOrganization) (Organization, error) {
	if actor.Role != Admin {
		return Organization{}, errForbidden
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Office = strings.TrimSpace(in.Office)
	if in.Name == "" || len(in.Name) > 200 {
		return Organization{}, apperr.InvalidField("name", "name is required (1–200 characters)")
	}
	if in.Tier == "" {
		in.Tier = "standard"
	}
	if !tiers[in.Tier] {
		return Organization{}, apperr.InvalidField("tier", "tier must be standard, premium or platinum")
	}
	if in.TSAMID != nil {
		tsam, err := s.FindUserByID(ctx, *in.TSAMID)
		if err != nil || (tsam.Role != SupportManager && tsam.Role != Executive) {
			return Organization{}, apperr.InvalidField("tsam_id", "tsam_id must name a support manager or executive")
		}
	}
	return s.insertOrganization(ctx, Organization{Name: in.Name, Office: in.Office, Tier: in.Tier, TSAMID: in.TSAMID})
}

// CreateUser creates a customer user or a staff member. Admins create anyone; an organisation's
// admin creates members and admins of their own organisation.
// Errors: forbidden, not_found (organization), invalid_value, user_exists.
func (s *Store) CreateUser(ctx context.Context, actor User, in NewUser) (User, error) {
	if actor.Role != Admin && actor.Role != OrgAdmin {
		return User{}, errForbidden
	}
	in.Email = strings.TrimSpace(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	in.Office = strings.TrimSpace(in.Office)
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email {
		return User{}, apperr.InvalidField("email", "email must be a plain e-mail address")
	}
	if in.Name == "" || len(in.Name) > 200 {
		return User{}, apperr.InvalidField("name", "name is required (1–200 characters)")
	}
	if !in.Role.Valid() {
		return User{}, apperr.InvalidField("role", "role must be one of member, org_admin, engineer, support_manager, executive, admin")
	}
	if in.Role.Customer() {
		if in.OrganizationID == nil {
			return User{}, apperr.InvalidField("organization_id", "customer users need an organization_id")
		}
		if actor.Role == OrgAdmin && !actor.InOrganization(*in.OrganizationID) {
			// An org admin must not learn whether another organisation exists.
			return User{}, apperr.NotFoundf("organization not found")
		}
		if _, err := s.FindOrganizationByID(ctx, *in.OrganizationID); err != nil {
			return User{}, err
		}
		if in.Senior {
			return User{}, apperr.InvalidField("senior", "only engineers can be senior")
		}
	} else {
		if actor.Role != Admin {
			return User{}, errForbidden
		}
		if in.OrganizationID != nil {
			return User{}, apperr.InvalidField("organization_id", "staff belong to an office, not an organization")
		}
		if in.Senior && in.Role != Engineer {
			return User{}, apperr.InvalidField("senior", "only engineers can be senior")
		}
	}
	return s.insertUser(ctx, User{Email: in.Email, Name: in.Name, Role: in.Role, Senior: in.Senior,
		OrganizationID: in.OrganizationID, Office: in.Office})
}

// CreateToken issues a token for a user: admins for anyone, users for themselves, org admins for
// users of their organisation. A caller who may not see the user gets not_found; a deactivated
// user gets no token, whoever asks.
// Errors: forbidden, not_found, invalid_value (label), user_deactivated.
func (s *Store) CreateToken(ctx context.Context, actor User, userID uuid.UUID, label string) (string, error) {
	target, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	switch {
	case actor.Role == Admin, actor.ID == target.ID:
	case actor.Role == OrgAdmin && target.Role.Customer() && target.OrganizationID != nil && actor.InOrganization(*target.OrganizationID):
	case actor.Role.Customer():
		return "", apperr.NotFoundf("user not found")
	default:
		return "", errForbidden
	}
	if len(label) > 100 {
		return "", apperr.InvalidField("label", "label is at most 100 characters")
	}
	return s.IssueToken(ctx, userID, label)
}

var errForbidden = apperr.New(apperr.Forbidden, "forbidden", "your role may not do this")

// ListOrganizationUsers lists an organisation's users, oldest first, a page at a time (see
// internal/page), with the next page's cursor (empty on the last page): staff see any
// organisation's, an organisation's admin their own (another is not_found).
// Errors: forbidden, not_found, invalid_value (cursor, limit).
func (s *Store) ListOrganizationUsers(ctx context.Context, actor User, orgID uuid.UUID, req page.Request) ([]User, string, error) {
	switch {
	case actor.Role == OrgAdmin && !actor.InOrganization(orgID):
		return nil, "", apperr.NotFoundf("organization not found")
	case actor.Role == Member:
		return nil, "", errForbidden
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	if _, err := s.FindOrganizationByID(ctx, orgID); err != nil {
		return nil, "", err
	}
	users, err := s.findUsersPage(ctx, orgID, []Role{Member, OrgAdmin}, req)
	if err != nil {
		return nil, "", err
	}
	users, next := page.Cut(users, req.Limit, func(u User) page.Cursor { return page.Cursor{At: u.CreatedAt, ID: u.ID.String()} })
	return users, next, nil
}

// Deactivate deactivates a user and revokes every token, browser session and sign-in link they
// hold: they can no longer sign in or call the API, and no token is issued to them, until they
// are reactivated. Admins for anyone, an
// organisation's admin for their organisation's users (not themselves). Deactivating a
// deactivated user revokes nothing more.
// Errors: forbidden, not_found, invalid_value.
func (s *Store) Deactivate(ctx context.Context, actor User, userID uuid.UUID) (int64, error) {
	if _, err := s.mayManage(ctx, actor, userID); err != nil {
		return 0, err
	}
	if userID == actor.ID {
		return 0, apperr.InvalidField("id", "you cannot deactivate yourself")
	}
	return s.setDeactivated(ctx, userID)
}

// Reactivate lets a deactivated user back in: admins for anyone, an organisation's admin for
// their organisation's users. The tokens revoked at deactivation stay revoked; the user needs a
// new one. Reactivating an active user changes nothing.
// Errors: forbidden, not_found.
func (s *Store) Reactivate(ctx context.Context, actor User, userID uuid.UUID) (User, error) {
	if _, err := s.mayManage(ctx, actor, userID); err != nil {
		return User{}, err
	}
	return s.clearDeactivated(ctx, userID)
}

// mayManage returns the user if actor may deactivate or reactivate them: an admin anyone, an
// organisation's admin their organisation's customer users. A customer who may not is told the
// user does not exist.
func (s *Store) mayManage(ctx context.Context, actor User, userID uuid.UUID) (User, error) {
	target, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return User{}, err
	}
	switch {
	case actor.Role == Admin:
	case actor.Role == OrgAdmin && target.Role.Customer() && target.OrganizationID != nil && actor.InOrganization(*target.OrganizationID):
	case actor.Role.Customer():
		return User{}, apperr.NotFoundf("user not found")
	default:
		return User{}, errForbidden
	}
	return target, nil
}

// OrganizationPatch is the input of UpdateOrganization; nil fields keep their value.
type OrganizationPatch struct {
	IncidentVisibility *Visibility
	// TSAMID names the organisation's technical support account manager (admins only); a
	// pointer to uuid.Nil removes them.
	TSAMID *uuid.UUID
}

// UpdateOrganization changes an organisation's settings: admins any organisation's, an
// organisation's admin their own (another is not_found).
// Errors: forbidden, not_found, invalid_value (incident_visibility).
func (s *Store) UpdateOrganization(ctx context.Context, actor User, orgID uuid.UUID, in OrganizationPatch) (Organization, error) {
	switch {
	case actor.Role == OrgAdmin && !actor.InOrganization(orgID):
		return Organization{}, apperr.NotFoundf("organization not found")
	case actor.Role != Admin && actor.Role != OrgAdmin:
		return Organization{}, errForbidden
	}
	if in.IncidentVisibility == nil && in.TSAMID == nil {
		return Organization{}, apperr.InvalidField("incident_visibility", "give incident_visibility")
	}
	if in.IncidentVisibility != nil && !in.IncidentVisibility.Valid() {
		return Organization{}, apperr.InvalidField("incident_visibility", "incident_visibility must be organization or own")
	}
	if in.TSAMID != nil {
		if actor.Role != Admin {
			return Organization{}, errForbidden
		}
		if *in.TSAMID != uuid.Nil {
			tsam, err := s.FindUserByID(ctx, *in.TSAMID)
			if err != nil || (tsam.Role != SupportManager && tsam.Role != Executive) {
				return Organization{}, apperr.InvalidField("tsam_id", "tsam_id must name a support manager or executive")
			}
		}
		if _, err := s.updateTSAM(ctx, orgID, *in.TSAMID); err != nil {
			return Organization{}, err
		}
	}
	if in.IncidentVisibility == nil {
		return s.FindOrganizationByID(ctx, orgID)
	}
	return s.updateIncidentVisibility(ctx, orgID, *in.IncidentVisibility)
}

package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// Group is a team of an organisation's customer users, such as an incident-response team (seed
// 003 §3.2): its members act on each other's incidents, and where the organisation's
// IncidentVisibility is "own", see them.
type Group struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	Name           string
	Description    string
	Members        []GroupMember
	CreatedAt      time.Time
}

// GroupMember is one user of a group.
type GroupMember struct {
	UserID  uuid.UUID
	Name    string
	Email   string
	AddedAt time.Time
}

// NewGroup is the input of CreateGroup. OrganizationID is required of admins; an organisation's
// admin creates groups of their own organisation.
type NewGroup struct {
	OrganizationID *uuid.UUID
	Name           string
	Description    string
}

var errGroupNotFound = apperr.NotFoundf("group not found")

// CreateGroup creates an empty group. Admins for any organisation, an organisation's admin for
// their own (another organisation is not_found).
// Errors: forbidden, not_found (organization), invalid_value (name, description,
// organization_id), group_exists.
func (s *Store) CreateGroup(ctx context.Context, actor User, in NewGroup) (Group, error) {
	var org uuid.UUID
	switch {
	case actor.Role == OrgAdmin && in.OrganizationID != nil && !actor.InOrganization(*in.OrganizationID):
		return Group{}, apperr.NotFoundf("organization not found")
	case actor.Role == OrgAdmin:
		org = *actor.OrganizationID
	case actor.Role == Admin && in.OrganizationID == nil:
		return Group{}, apperr.InvalidField("organization_id", "name the organization_id the group belongs to")
	case actor.Role == Admin:
		org = *in.OrganizationID
	default:
		return Group{}, errForbidden
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if in.Name == "" || len(in.Name) > 200 {
		return Group{}, apperr.InvalidField("name", "name is required (1–200 characters)")
	}
	if len(in.Description) > 2000 {
		return Group{}, apperr.InvalidField("description", "description is at most 2000 bytes")
	}
	if _, err := s.FindOrganizationByID(ctx, org); err != nil {
		return Group{}, err
	}
	return s.insertGroup(ctx, groupRow{ID: uuid.Must(uuid.NewV7()), OrganizationID: org, Name: in.Name,
		Description: in.Description, CreatedAt: s.clock.Now().Truncate(time.Microsecond)})
}

// ListGroups lists groups with their members, by name: admins every group (or one
// organisation's), an organisation's admin their organisation's, a member the groups they
// belong to. A customer naming another organisation gets an empty list, as for incidents.
// Errors: forbidden.
func (s *Store) ListGroups(ctx context.Context, actor User, orgID *uuid.UUID) ([]Group, error) {
	return s.listGroups(ctx, actor, orgID, groupFilter{})
}

// ListGroupsPage is ListGroups a page at a time (see internal/page), with the next page's cursor
// (empty on the last page).
// Errors: forbidden, invalid_value (cursor, limit).
func (s *Store) ListGroupsPage(ctx context.Context, actor User, orgID *uuid.UUID, req page.Request) ([]Group, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	f := groupFilter{Limit: req.Limit + 1}
	if req.Cursor != nil {
		id, err := req.Cursor.UUID()
		if err != nil {
			return nil, "", err
		}
		f.After = &id
	}
	gs, err := s.listGroups(ctx, actor, orgID, f)
	if err != nil {
		return nil, "", err
	}
	gs, next := page.Cut(gs, req.Limit, func(g Group) page.Cursor { return page.Cursor{At: g.CreatedAt, ID: g.ID.String()} })
	return gs, next, nil
}

func (s *Store) listGroups(ctx context.Context, actor User, orgID *uuid.UUID, f groupFilter) ([]Group, error) {
	f.OrganizationID = orgID
	switch actor.Role {
	case Admin:
	case OrgAdmin, Member:
		if orgID != nil && !actor.InOrganization(*orgID) {
			return []Group{}, nil
		}
		f.OrganizationID = actor.OrganizationID
		if actor.Role == Member {
			f.MemberID = &actor.ID
		}
	default:
		return nil, errForbidden
	}
	return s.findGroups(ctx, f)
}

// FindGroup returns a group with its members if the caller may see it: admins any, an
// organisation's admin their organisation's, a member the groups they belong to. Any other
// group is not_found, exactly as a missing one.
// Errors: forbidden, not_found.
func (s *Store) FindGroup(ctx context.Context, actor User, id uuid.UUID) (Group, error) {
	f := groupFilter{ID: &id}
	switch actor.Role {
	case Admin:
	case OrgAdmin, Member:
		f.OrganizationID = actor.OrganizationID
		if actor.Role == Member {
			f.MemberID = &actor.ID
		}
	default:
		return Group{}, errForbidden
	}
	gs, err := s.findGroups(ctx, f)
	if err != nil {
		return Group{}, err
	}
	if len(gs) == 0 {
		return Group{}, errGroupNotFound
	}
	return gs[0], nil
}

// managedGroup loads a group the caller may manage: admins any, an organisation's admin their
// organisation's (another organisation's is not_found). Members and staff are forbidden.
func (s *Store) managedGroup(ctx context.Context, actor User, id uuid.UUID) (groupRow, error) {
	if actor.Role != Admin && actor.Role != OrgAdmin {
		return groupRow{}, errForbidden
	}
	g, err := s.findGroupRow(ctx, id)
	if err != nil {
		return groupRow{}, err
	}
	if actor.Role == OrgAdmin && !actor.InOrganization(g.OrganizationID) {
		return groupRow{}, errGroupNotFound
	}
	return g, nil
}

// DeleteGroup deletes a group and its memberships; its members keep their own incidents.
// Errors: forbidden, not_found.
func (s *Store) DeleteGroup(ctx context.Context, actor User, id uuid.UUID) error {
	if _, err := s.managedGroup(ctx, actor, id); err != nil {
		return err
	}
	return s.deleteGroup(ctx, id)
}

// AddGroupMember adds a customer user of the group's organisation to the group; adding a member
// again changes nothing. It returns the group.
// Errors: forbidden, not_found (group; a user who is missing or of another organisation),
// invalid_value (user_id: staff cannot join customer groups).
func (s *Store) AddGroupMember(ctx context.Context, actor User, groupID, userID uuid.UUID) (Group, error) {
	g, err := s.managedGroup(ctx, actor, groupID)
	if err != nil {
		return Group{}, err
	}
	if err := s.checkJoinable(ctx, g, userID); err != nil {
		return Group{}, err
	}
	if err := s.addGroupMember(ctx, groupID, userID); err != nil {
		return Group{}, err
	}
	return s.FindGroup(ctx, actor, groupID)
}

// RemoveGroupMember takes a user out of the group; removing a non-member changes nothing. The
// user loses, from their next request, what the group gave them.
// Errors: forbidden, not_found (group, user), invalid_value (user_id).
func (s *Store) RemoveGroupMember(ctx context.Context, actor User, groupID, userID uuid.UUID) error {
	g, err := s.managedGroup(ctx, actor, groupID)
	if err != nil {
		return err
	}
	if err := s.checkJoinable(ctx, g, userID); err != nil {
		return err
	}
	return s.removeGroupMember(ctx, groupID, userID)
}

// checkJoinable: a group holds customer users of its own organisation. A user of another
// organisation answers exactly like a missing one.
func (s *Store) checkJoinable(ctx context.Context, g groupRow, userID uuid.UUID) error {
	u, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.Role.Staff() {
		return apperr.InvalidField("user_id", "groups hold customer users, not staff")
	}
	if !u.InOrganization(g.OrganizationID) {
		return apperr.NotFoundf("user not found")
	}
	return nil
}

package accounts

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm/clause"
)

type groupRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	OrganizationID uuid.UUID
	Name           string
	Description    string
	CreatedAt      time.Time
}

func (groupRow) TableName() string { return "groups" }

func (r groupRow) toGroup(members []GroupMember) Group {
	if members == nil {
		members = []GroupMember{}
	}
	return Group{ID: r.ID, OrganizationID: r.OrganizationID, Name: r.Name, Description: r.Description,
		Members: members, CreatedAt: r.CreatedAt.UTC()}
}

type groupMemberRow struct {
	GroupID uuid.UUID `gorm:"primaryKey"`
	UserID  uuid.UUID `gorm:"primaryKey"`
	AddedAt time.Time
}

func (groupMemberRow) TableName() string { return "group_members" }

func (s *Store) insertGroup(ctx context.Context, r groupRow) (Group, error) {
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if _, ok := dbx.UniqueViolation(err); ok {
			return Group{}, &apperr.Error{Kind: apperr.Conflict, Code: "group_exists", Field: "name",
				Message: "the organization already has a group named " + r.Name, Err: err}
		}
		return Group{}, dbx.Translate(err, "group")
	}
	return r.toGroup(nil), nil
}

func (s *Store) findGroupRow(ctx context.Context, id uuid.UUID) (groupRow, error) {
	var r groupRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return groupRow{}, dbx.Translate(err, "group")
	}
	return r, nil
}

// groupFilter selects groups; nil fields do not filter.
type groupFilter struct {
	ID             *uuid.UUID
	OrganizationID *uuid.UUID
	MemberID       *uuid.UUID // groups this user belongs to
	After          *uuid.UUID // groups after this one in name order
	Limit          int        // 0: all
}

// findGroups returns the groups with their members, by name.
func (s *Store) findGroups(ctx context.Context, f groupFilter) ([]Group, error) {
	q := s.db.WithContext(ctx).Model(&groupRow{})
	if f.ID != nil {
		q = q.Where("id = ?", *f.ID)
	}
	if f.OrganizationID != nil {
		q = q.Where("organization_id = ?", *f.OrganizationID)
	}
	if f.MemberID != nil {
		q = q.Where("id IN (SELECT group_id FROM group_members WHERE user_id = ?)", *f.MemberID)
	}
	if f.After != nil {
		// A cursor naming a group deleted since matches nothing: the listing ends there.
		q = q.Where("(lower(name), id) > (SELECT lower(name), id FROM groups WHERE id = ?)", *f.After)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []groupRow
	if err := q.Order("lower(name), id").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "groups")
	}
	out := make([]Group, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var members []struct {
		GroupID uuid.UUID
		GroupMember
	}
	err := s.db.WithContext(ctx).Raw(`SELECT gm.group_id, gm.user_id, u.name, u.email, gm.added_at
		FROM group_members gm JOIN users u ON u.id = gm.user_id
		WHERE gm.group_id IN ? ORDER BY gm.added_at, gm.user_id`, ids).Scan(&members).Error
	if err != nil {
		return nil, dbx.Translate(err, "group members")
	}
	byGroup := map[uuid.UUID][]GroupMember{}
	for _, m := range members {
		m.AddedAt = m.AddedAt.UTC()
		byGroup[m.GroupID] = append(byGroup[m.GroupID], m.GroupMember)
	}
	for i, r := range rows {
		out[i] = r.toGroup(byGroup[r.ID])
	}
	return out, nil
}

func (s *Store) deleteGroup(ctx context.Context, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&groupRow{}, "id = ?", id)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.NotFoundf("group not found")
	}
	return dbx.Translate(res.Error, "group")
}

// addGroupMember adds the membership unless it exists. A group deleted meanwhile is not_found.
func (s *Store) addGroupMember(ctx context.Context, groupID, userID uuid.UUID) error {
	r := groupMemberRow{GroupID: groupID, UserID: userID, AddedAt: s.clock.Now().Truncate(time.Microsecond)}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error
	if _, ok := dbx.ForeignKeyViolation(err); ok { // the group is gone
		return apperr.NotFoundf("group not found")
	}
	return dbx.Translate(err, "group member")
}

func (s *Store) removeGroupMember(ctx context.Context, groupID, userID uuid.UUID) error {
	err := s.db.WithContext(ctx).Delete(&groupMemberRow{}, "group_id = ? AND user_id = ?", groupID, userID).Error
	return dbx.Translate(err, "group member")
}

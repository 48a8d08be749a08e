package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm/clause"
)

type followerRow struct {
	IncidentID uuid.UUID `gorm:"primaryKey"`
	UserID     uuid.UUID `gorm:"primaryKey"`
	AddedBy    uuid.UUID
	AddedAt    time.Time
}

func (followerRow) TableName() string { return "incident_followers" }

// addFollower writes the row; an existing follower stays as they were added.
func (s *Store) addFollower(ctx context.Context, r followerRow) error {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error
	return dbx.Translate(err, "follower")
}

// removeFollower deletes the row, or returns not_found.
func (s *Store) removeFollower(ctx context.Context, incidentID, userID uuid.UUID) error {
	res := s.db.WithContext(ctx).Where("incident_id = ? AND user_id = ?", incidentID, userID).Delete(&followerRow{})
	if res.Error != nil {
		return dbx.Translate(res.Error, "follower")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("follower not found")
	}
	return nil
}

// findFollowers returns the incident's followers, oldest first: every one when req is nil, else
// up to req.Limit+1 after req.Cursor.
func (s *Store) findFollowers(ctx context.Context, incidentID uuid.UUID, req *page.Request) ([]followerRow, error) {
	q := s.db.WithContext(ctx).Where("incident_id = ?", incidentID)
	if req != nil {
		after, afterID := time.Time{}, uuid.Nil
		if req.Cursor != nil {
			var err error
			if afterID, err = req.Cursor.UUID(); err != nil {
				return nil, err
			}
			after = req.Cursor.At
		}
		q = q.Where("(added_at, user_id) > (?, ?)", after, afterID).Limit(req.Limit + 1)
	}
	var rows []followerRow
	if err := q.Order("added_at, user_id").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "followers")
	}
	return rows, nil
}

type preferencesRow struct {
	Email    bool
	Language *string
}

// findPreferences returns the user's choices; ok is false when they never set any.
func (s *Store) findPreferences(ctx context.Context, userID uuid.UUID) (r preferencesRow, ok bool, err error) {
	res := s.db.WithContext(ctx).Table("notification_preferences").Select("email, language").Where("user_id = ?", userID).Scan(&r)
	if res.Error != nil {
		return r, false, dbx.Translate(res.Error, "preferences")
	}
	return r, res.RowsAffected > 0, nil
}

// savePreferences writes the user's choices at now.
func (s *Store) savePreferences(ctx context.Context, userID uuid.UUID, p Preferences, now time.Time) error {
	row := map[string]any{"user_id": userID, "email": p.Email, "language": nullable(p.Language), "updated_at": now}
	err := s.db.WithContext(ctx).Table("notification_preferences").Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "user_id"}}, DoUpdates: clause.AssignmentColumns([]string{"email", "language", "updated_at"})}).
		Create(row).Error
	return dbx.Translate(err, "preferences")
}

type organizationSettingsRow struct {
	NotifyGroups bool
	Language     *string
}

// findOrganizationSettings returns the organisation's choices (zero when never set).
func (s *Store) findOrganizationSettings(ctx context.Context, orgID uuid.UUID) (organizationSettingsRow, error) {
	var r organizationSettingsRow
	err := s.db.WithContext(ctx).Table("organization_notification_settings").Select("notify_groups, language").
		Where("organization_id = ?", orgID).Scan(&r).Error
	return r, dbx.Translate(err, "organization settings")
}

// saveOrganizationSettings writes the organisation's choices at now.
func (s *Store) saveOrganizationSettings(ctx context.Context, orgID uuid.UUID, o OrganizationSettings, now time.Time) error {
	row := map[string]any{"organization_id": orgID, "notify_groups": o.NotifyGroups, "language": nullable(o.Language), "updated_at": now}
	err := s.db.WithContext(ctx).Table("organization_notification_settings").Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "organization_id"}}, DoUpdates: clause.AssignmentColumns([]string{"notify_groups", "language", "updated_at"})}).
		Create(row).Error
	return dbx.Translate(err, "organization settings")
}

// nullable stores an empty language as NULL (follow the organisation, or English).
func nullable(l string) any {
	if l == "" {
		return nil
	}
	return l
}

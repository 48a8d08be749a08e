package escalation

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm/clause"
)

// Preferences are a user's notification choices.
type Preferences struct {
	// Email: whether notifications are also mailed (the in-app inbox always has them).
	Email bool
	// Language of what they receive, ja or en; empty follows the organisation.
	Language string
}

// OrganizationSettings are an organisation's notification choices.
type OrganizationSettings struct {
	// NotifyGroups: members of the opener's groups hear of the opener's incidents.
	NotifyGroups bool
	// Language is its users' default, ja or en; empty is English.
	Language string
}

func validLanguage(l *string) error {
	if l != nil && *l != "" && *l != "ja" && *l != "en" {
		return apperr.InvalidField("language", "language is ja or en (empty: the organisation's)")
	}
	return nil
}

func nullable(l string) any {
	if l == "" {
		return nil
	}
	return l
}

// UserPreferences returns the user's choices (e-mail on, no language, when never set).
func (f *Followers) UserPreferences(ctx context.Context, userID uuid.UUID) (Preferences, error) {
	var r struct {
		Email    bool
		Language *string
	}
	res := f.db.WithContext(ctx).Table("notification_preferences").Select("email, language").Where("user_id = ?", userID).Scan(&r)
	if res.Error != nil {
		return Preferences{}, dbx.Translate(res.Error, "preferences")
	}
	if res.RowsAffected == 0 {
		return Preferences{Email: true}, nil
	}
	p := Preferences{Email: r.Email}
	if r.Language != nil {
		p.Language = *r.Language
	}
	return p, nil
}

// SetUserPreferences changes the fields given (nil: unchanged) and returns the result.
// Errors: invalid_value (language), storage errors.
func (f *Followers) SetUserPreferences(ctx context.Context, userID uuid.UUID, email *bool, language *string) (Preferences, error) {
	if err := validLanguage(language); err != nil {
		return Preferences{}, err
	}
	p, err := f.UserPreferences(ctx, userID)
	if err != nil {
		return p, err
	}
	if email != nil {
		p.Email = *email
	}
	if language != nil {
		p.Language = *language
	}
	row := map[string]any{"user_id": userID, "email": p.Email, "language": nullable(p.Language), "updated_at": f.clock.Now()}
	err = f.db.WithContext(ctx).Table("notification_preferences").Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "user_id"}}, DoUpdates: clause.AssignmentColumns([]string{"email", "language", "updated_at"})}).
		Create(row).Error
	return p, dbx.Translate(err, "preferences")
}

// OrganizationSettings returns the organisation's choices (defaults when never set).
func (f *Followers) OrganizationSettings(ctx context.Context, orgID uuid.UUID) (OrganizationSettings, error) {
	var r struct {
		NotifyGroups bool
		Language     *string
	}
	res := f.db.WithContext(ctx).Table("organization_notification_settings").Select("notify_groups, language").
		Where("organization_id = ?", orgID).Scan(&r)
	if res.Error != nil {
		return OrganizationSettings{}, dbx.Translate(res.Error, "organization settings")
	}
	s := OrganizationSettings{NotifyGroups: r.NotifyGroups}
	if r.Language != nil {
		s.Language = *r.Language
	}
	return s, nil
}

// SetOrganizationSettings changes the fields given (nil: unchanged). The caller has checked that
// the actor may change the organisation.
// Errors: invalid_value (language), storage errors.
func (f *Followers) SetOrganizationSettings(ctx context.Context, orgID uuid.UUID, notifyGroups *bool, language *string) (OrganizationSettings, error) {
	if err := validLanguage(language); err != nil {
		return OrganizationSettings{}, err
	}
	s, err := f.OrganizationSettings(ctx, orgID)
	if err != nil {
		return s, err
	}
	if notifyGroups != nil {
		s.NotifyGroups = *notifyGroups
	}
	if language != nil {
		s.Language = *language
	}
	row := map[string]any{"organization_id": orgID, "notify_groups": s.NotifyGroups, "language": nullable(s.Language), "updated_at": f.clock.Now()}
	err = f.db.WithContext(ctx).Table("organization_notification_settings").Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "organization_id"}}, DoUpdates: clause.AssignmentColumns([]string{"notify_groups", "language", "updated_at"})}).
		Create(row).Error
	return s, dbx.Translate(err, "organization settings")
}

package escalation

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
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

// UserPreferences returns the user's choices (e-mail on, no language, when never set).
func (f *Followers) UserPreferences(ctx context.Context, userID uuid.UUID) (Preferences, error) {
	r, ok, err := f.store.findPreferences(ctx, userID)
	if err != nil {
		return Preferences{}, err
	}
	if !ok {
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
	return p, f.store.savePreferences(ctx, userID, p, f.clock.Now())
}

// OrganizationSettings returns the organisation's choices (defaults when never set).
func (f *Followers) OrganizationSettings(ctx context.Context, orgID uuid.UUID) (OrganizationSettings, error) {
	r, err := f.store.findOrganizationSettings(ctx, orgID)
	if err != nil {
		return OrganizationSettings{}, err
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
	return s, f.store.saveOrganizationSettings(ctx, orgID, s, f.clock.Now())
}

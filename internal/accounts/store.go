package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type organizationRow struct {
	ID     uuid.UUID `gorm:"primaryKey"`
	Name   string
	Office string
	Tier   string
	TSAMID *uuid.UUID `gorm:"column:tsam_id"`
	// IncidentVisibility is left to the column's default on insert.
	IncidentVisibility string `gorm:"<-:update"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (organizationRow) TableName() string { return "organizations" }

func (r organizationRow) toOrganization() Organization {
	v := Visibility(r.IncidentVisibility)
	if v == "" {
		v = VisibilityOrganization
	}
	return Organization{ID: r.ID, Name: r.Name, Office: r.Office, Tier: r.Tier, TSAMID: r.TSAMID,
		IncidentVisibility: v, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type userRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	Email          string
	Name           string
	Role           string
	Senior         bool
	OrganizationID *uuid.UUID
	Office         string
	Locale         string
	TimeZone       string
	DeactivatedAt  *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) toUser() User {
	var deact *time.Time
	if r.DeactivatedAt != nil {
		t := r.DeactivatedAt.UTC()
		deact = &t
	}
	return User{ID: r.ID, Email: r.Email, Name: r.Name, Role: Role(r.Role), Senior: r.Senior,
		OrganizationID: r.OrganizationID, Office: r.Office, Locale: r.Locale, TimeZone: r.TimeZone,
		DeactivatedAt: deact, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type tokenRow struct {
	ID        uuid.UUID `gorm:"primaryKey"`
	UserID    uuid.UUID
	Digest    []byte
	Label     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (tokenRow) TableName() string { return "tokens" }

// Store keeps organisations, users and tokens in PostgreSQL.
type Store struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewStore returns a store on db.
func NewStore(db *gorm.DB, c clock.Clock) *Store {
	return &Store{db: db, clock: clock.Required(c, "accounts.NewStore")}
}

// With returns the store reading through tx, so code inside a transaction does not take a second
// pooled connection (which, under load, can starve the pool: every holder waiting for another).
func (s *Store) With(tx *gorm.DB) *Store { return &Store{db: tx, clock: s.clock} }

// FindOrganizationByID returns the organisation, or a not_found error.
func (s *Store) FindOrganizationByID(ctx context.Context, id uuid.UUID) (Organization, error) {
	var r organizationRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return Organization{}, dbx.Translate(err, "organization")
	}
	return r.toOrganization(), nil
}

// FindOrganizationIDsByOffice returns the IDs of the organisations served by office (none: empty).
func (s *Store) FindOrganizationIDsByOffice(ctx context.Context, office string) ([]uuid.UUID, error) {
	ids := []uuid.UUID{}
	if err := s.db.WithContext(ctx).Model(&organizationRow{}).Where("office = ?", office).Pluck("id", &ids).Error; err != nil {
		return nil, dbx.Translate(err, "organizations")
	}
	return ids, nil
}

// FindOrganizations returns the organisations with the given IDs, by ID; missing ones are absent.
func (s *Store) FindOrganizations(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]Organization, error) {
	out := make(map[uuid.UUID]Organization, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []organizationRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "organizations")
	}
	for _, r := range rows {
		out[r.ID] = r.toOrganization()
	}
	return out, nil
}

// FindUserNames returns the names of the users with the given IDs, by ID; unknown IDs are
// absent. Deactivated users keep their names.
// Errors: a storage error.
func (s *Store) FindUserNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	if err := s.db.WithContext(ctx).Model(&userRow{}).Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "users")
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// FindUserByID returns the user, or a not_found error.
func (s *Store) FindUserByID(ctx context.Context, id uuid.UUID) (User, error) {
	var r userRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return User{}, dbx.Translate(err, "user")
	}
	return r.toUser(), nil
}

func (s *Store) insertOrganization(ctx context.Context, o Organization) (Organization, error) {
	now := s.clock.Now()
	r := organizationRow{ID: uuid.Must(uuid.NewV7()), Name: o.Name, Office: o.Office, Tier: o.Tier,
		TSAMID: o.TSAMID, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if _, ok := dbx.UniqueViolation(err); ok {
			return Organization{}, &apperr.Error{Kind: apperr.Conflict, Code: "organization_exists",
				Field: "name", Message: "an organization named " + o.Name + " already exists", Err: err}
		}
		return Organization{}, dbx.Translate(err, "organization")
	}
	return r.toOrganization(), nil
}

func (s *Store) insertUser(ctx context.Context, u User) (User, error) {
	now := s.clock.Now()
	r := userRow{ID: uuid.Must(uuid.NewV7()), Email: u.Email, Name: u.Name, Role: string(u.Role),
		Senior: u.Senior, OrganizationID: u.OrganizationID, Office: u.Office, CreatedAt: now, UpdatedAt: now}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if _, ok := dbx.UniqueViolation(err); ok {
			return User{}, &apperr.Error{Kind: apperr.Conflict, Code: "user_exists", Field: "email",
				Message: "a user with e-mail " + u.Email + " already exists", Err: err}
		}
		return User{}, dbx.Translate(err, "user")
	}
	return r.toUser(), nil
}

// IssueToken creates a new bearer token for the user and returns it in plain text, once. A
// deactivated user gets none (user_deactivated). The user's row is read under a share lock, so a
// token is never issued concurrently with a deactivation that would miss it.
// Errors: not_found, user_deactivated.
func (s *Store) IssueToken(ctx context.Context, userID uuid.UUID, label string) (string, error) {
	plain, digest := NewToken()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u userRow
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Take(&u, "id = ?", userID).Error; err != nil {
			return err
		}
		if u.DeactivatedAt != nil {
			return errDeactivated
		}
		r := tokenRow{ID: uuid.Must(uuid.NewV7()), UserID: userID, Digest: digest, Label: label, CreatedAt: s.clock.Now()}
		return tx.Create(&r).Error
	})
	if err != nil {
		return "", dbx.Translate(err, "user")
	}
	return plain, nil
}

// EnsureToken stores plain as a bearer token of the user unless it is stored already (revoked or
// not), so that a caller holding a stable token, such as the demo seed, can store it on every run
// without a duplicate-key error.
func (s *Store) EnsureToken(ctx context.Context, userID uuid.UUID, plain, label string) error {
	r := tokenRow{ID: uuid.Must(uuid.NewV7()), UserID: userID, Digest: Digest(plain), Label: label, CreatedAt: s.clock.Now()}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "digest"}}, DoNothing: true}).Create(&r).Error
	return dbx.Translate(err, "token")
}

// authRow is a token's user with what decides which incidents a customer reaches.
type authRow struct {
	User               userRow `gorm:"embedded"`
	IncidentVisibility *string
	Circle             string // comma-separated user IDs; empty outside any group
}

// authSelect reads a user with their organisation's incident visibility and their circle in one
// statement; callers add the FROM clause that finds the user as u.
const authSelect = `SELECT u.*, o.incident_visibility,
		coalesce((SELECT string_agg(DISTINCT co.user_id::text, ',') FROM group_members me
			JOIN group_members co ON co.group_id = me.group_id WHERE me.user_id = u.id), '') AS circle
		FROM `

// Authenticate returns the user owning the bearer token, or an unauthorized error. For a
// customer it also loads their circle (everyone sharing a group with them) and their
// organisation's incident visibility, in the same statement: the token lookup stays one round
// trip on every request. A deactivated user's tokens no longer authenticate.
func (s *Store) Authenticate(ctx context.Context, token string) (User, error) {
	if token == "" {
		return User{}, errUnauthorized
	}
	return s.authUser(ctx, `tokens t JOIN users u ON u.id = t.user_id LEFT JOIN organizations o ON o.id = u.organization_id
		WHERE t.digest = ? AND t.revoked_at IS NULL AND u.deactivated_at IS NULL`, Digest(token))
}

// authUser runs authSelect with the given FROM … WHERE tail; no row is unauthorized.
func (s *Store) authUser(ctx context.Context, from string, args ...any) (User, error) {
	var r authRow
	err := s.db.WithContext(ctx).Raw(authSelect+from, args...).Take(&r).Error
	if dbx.NotFound(err) {
		return User{}, errUnauthorized
	}
	if err != nil {
		return User{}, dbx.Translate(err, "user")
	}
	u := r.User.toUser()
	if r.IncidentVisibility != nil {
		u.IncidentVisibility = Visibility(*r.IncidentVisibility)
	}
	if u.Circle, err = parseIDs(r.Circle); err != nil {
		return User{}, apperr.Wrap(err, "reading the group circle")
	}
	return u, nil
}

func parseIDs(csv string) ([]uuid.UUID, error) {
	if csv == "" {
		return nil, nil
	}
	parts := strings.Split(csv, ",")
	out := make([]uuid.UUID, len(parts))
	for i, p := range parts {
		id, err := uuid.Parse(p)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

var errUnauthorized = apperr.New(apperr.Unauthorized, "unauthorized", "missing, unknown or revoked bearer token")

// BootstrapAdmin makes sure an admin user owns the given token, so that a fresh installation can
// be driven through the API. It is idempotent: restarting with the same token changes nothing.
// A deactivated bootstrap admin stays deactivated (user_deactivated): another admin reactivates;
// a revoked token stays revoked (token_revoked).
func (s *Store) BootstrapAdmin(ctx context.Context, token string) (User, error) {
	if u, err := s.Authenticate(ctx, token); err == nil {
		return u, nil
	}
	now := s.clock.Now()
	var out User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := userRow{ID: uuid.Must(uuid.NewV7()), Email: "admin@supportd.local", Name: "Administrator",
			Role: string(Admin), CreatedAt: now, UpdatedAt: now}
		// A restart with a new token keeps the same admin user.
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
			return err
		}
		// A fresh row: Take on r would keep r's new ID as a condition and miss the existing admin.
		var existing userRow
		if err := tx.Take(&existing, "lower(email) = ?", "admin@supportd.local").Error; err != nil {
			return err
		}
		r = existing
		if r.DeactivatedAt != nil {
			return errDeactivated
		}
		var revoked int64
		if err := tx.Model(&tokenRow{}).Where("digest = ?", Digest(token)).Count(&revoked).Error; err != nil {
			return err
		}
		if revoked > 0 {
			// Revoked (by a deactivation, say): a restart must not bring it back.
			return apperr.New(apperr.Unauthorized, "token_revoked", "SUPPORT_ADMIN_TOKEN was revoked; configure a new one")
		}
		t := tokenRow{ID: uuid.Must(uuid.NewV7()), UserID: r.ID, Digest: Digest(token), Label: "SUPPORT_ADMIN_TOKEN", CreatedAt: now}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		out = r.toUser()
		return nil
	})
	if err != nil {
		return User{}, dbx.Translate(err, "admin")
	}
	return out, nil
}

// FindUserByEmail returns the user with that e-mail (case-insensitive), or not_found.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (User, error) {
	var r userRow
	if err := s.db.WithContext(ctx).Take(&r, "lower(email) = lower(?)", email).Error; err != nil {
		return User{}, dbx.Translate(err, "user")
	}
	return r.toUser(), nil
}

// FindOrganizationByName returns the organisation with that name (case-insensitive), or not_found.
func (s *Store) FindOrganizationByName(ctx context.Context, name string) (Organization, error) {
	var r organizationRow
	if err := s.db.WithContext(ctx).Take(&r, "lower(name) = lower(?)", name).Error; err != nil {
		return Organization{}, dbx.Translate(err, "organization")
	}
	return r.toOrganization(), nil
}

// FindUsersByOrganization returns the organisation's users with one of the roles, oldest first.
func (s *Store) FindUsersByOrganization(ctx context.Context, orgID uuid.UUID, roles ...Role) ([]User, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	var rows []userRow
	if err := s.db.WithContext(ctx).Where("organization_id = ? AND role IN ?", orgID, names).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "users")
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, nil
}

// findUsersPage returns up to req.Limit+1 users of the organisation with one of the roles after
// req.Cursor, oldest first.
func (s *Store) findUsersPage(ctx context.Context, orgID uuid.UUID, roles []Role, req page.Request) ([]User, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	q := s.db.WithContext(ctx).Where("organization_id = ? AND role IN ?", orgID, names)
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

// FindStaff returns staff with one of the roles, of the office when office is not empty, oldest
// first.
func (s *Store) FindStaff(ctx context.Context, office string, roles ...Role) ([]User, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	q := s.db.WithContext(ctx).Where("organization_id IS NULL AND role IN ?", names)
	if office != "" {
		q = q.Where("office = ?", office)
	}
	var rows []userRow
	if err := q.Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "users")
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.toUser()
	}
	return out, nil
}

func (s *Store) updateIncidentVisibility(ctx context.Context, orgID uuid.UUID, v Visibility) (Organization, error) {
	res := s.db.WithContext(ctx).Model(&organizationRow{}).Where("id = ?", orgID).
		Updates(map[string]any{"incident_visibility": string(v), "updated_at": s.clock.Now()})
	if res.Error != nil {
		return Organization{}, dbx.Translate(res.Error, "organization")
	}
	if res.RowsAffected == 0 {
		return Organization{}, apperr.NotFoundf("organization not found")
	}
	return s.FindOrganizationByID(ctx, orgID)
}

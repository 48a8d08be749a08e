package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Follower is a customer user who hears of an incident's changes as its opener does.
type Follower struct {
	UserID  uuid.UUID
	Name    string
	Email   string
	AddedBy uuid.UUID
	AddedAt time.Time
}

// Followers keeps who follows which incident (the CC of a support case) and each user's and
// organisation's notification choices.
type Followers struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewFollowers returns the followers and preferences store over db.
func NewFollowers(db *gorm.DB, c clock.Clock) *Followers { return &Followers{db: db, clock: c} }

type followerRow struct {
	IncidentID uuid.UUID `gorm:"primaryKey"`
	UserID     uuid.UUID `gorm:"primaryKey"`
	AddedBy    uuid.UUID
	AddedAt    time.Time
}

func (followerRow) TableName() string { return "incident_followers" }

// errNotFollowable refuses a follower who could not read the incident.
var errNotFollowable = apperr.InvalidField("user_id",
	"a follower is an active customer user of the incident's organisation who may see the incident")

// mayChange reports whether actor may change inc's followers: staff who work incidents, and the
// customers who may act on it (tickets.MayAct). inc is as actor may see it (tickets.Service.Get).
func mayChange(actor accounts.User, inc tickets.Incident) error {
	switch actor.Role {
	case accounts.Engineer, accounts.SupportManager, accounts.Admin:
		return nil
	case accounts.Member, accounts.OrgAdmin:
		if tickets.MayAct(actor, inc) {
			return nil
		}
	}
	return apperr.New(apperr.Forbidden, "forbidden", "only those who may act on the incident change its followers")
}

// Follow adds userID to inc's followers (idempotent).
// Errors: forbidden, invalid_value (user_id: not a customer of the incident's organisation who
// may see it), storage errors.
func (f *Followers) Follow(ctx context.Context, actor accounts.User, inc tickets.Incident, userID uuid.UUID) ([]Follower, error) {
	if err := mayChange(actor, inc); err != nil {
		return nil, err
	}
	var ok bool
	err := f.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM users u JOIN organizations o ON o.id = u.organization_id
		WHERE u.id = @user AND u.organization_id = @org AND u.deactivated_at IS NULL AND u.role IN ('member', 'org_admin')
		AND (u.role = 'org_admin' OR o.incident_visibility = 'organization' OR u.id = @opener
			OR EXISTS (SELECT 1 FROM group_members me JOIN group_members co ON co.group_id = me.group_id
				WHERE me.user_id = @opener AND co.user_id = u.id)))`,
		map[string]any{"user": userID, "org": inc.OrganizationID, "opener": inc.OpenedBy}).Scan(&ok).Error
	if err != nil {
		return nil, dbx.Translate(err, "follower")
	}
	if !ok {
		return nil, errNotFollowable
	}
	row := followerRow{IncidentID: inc.ID, UserID: userID, AddedBy: actor.ID, AddedAt: f.clock.Now()}
	if err := f.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return nil, dbx.Translate(err, "follower")
	}
	return f.List(ctx, inc)
}

// Unfollow removes userID from inc's followers; a customer may always remove themselves.
// Errors: forbidden, not_found (not a follower), storage errors.
func (f *Followers) Unfollow(ctx context.Context, actor accounts.User, inc tickets.Incident, userID uuid.UUID) error {
	if actor.ID != userID {
		if err := mayChange(actor, inc); err != nil {
			return err
		}
	}
	res := f.db.WithContext(ctx).Where("incident_id = ? AND user_id = ?", inc.ID, userID).Delete(&followerRow{})
	if res.Error != nil {
		return dbx.Translate(res.Error, "follower")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("follower not found")
	}
	return nil
}

// Page returns a page of inc's followers, oldest first, and the next page's cursor.
// Errors: invalid_value (limit, cursor).
func (f *Followers) Page(ctx context.Context, inc tickets.Incident, req page.Request) ([]Follower, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	after, afterID := time.Time{}, uuid.Nil
	if req.Cursor != nil {
		if afterID, err = req.Cursor.UUID(); err != nil {
			return nil, "", err
		}
		after = req.Cursor.At
	}
	var out []Follower
	err = f.db.WithContext(ctx).Raw(`SELECT f.user_id, u.name, u.email, f.added_by, f.added_at FROM incident_followers f
		JOIN users u ON u.id = f.user_id WHERE f.incident_id = ? AND (f.added_at, f.user_id) > (?, ?)
		ORDER BY f.added_at, f.user_id LIMIT ?`, inc.ID, after, afterID, req.Limit+1).Scan(&out).Error
	if err != nil {
		return nil, "", dbx.Translate(err, "followers")
	}
	for i := range out {
		out[i].AddedAt = out[i].AddedAt.UTC()
	}
	out, next := page.Cut(out, req.Limit, func(x Follower) page.Cursor { return page.Cursor{At: x.AddedAt, ID: x.UserID.String()} })
	return out, next, nil
}

// List returns all of inc's followers, oldest first (the answer to a change of them).
func (f *Followers) List(ctx context.Context, inc tickets.Incident) ([]Follower, error) {
	var out []Follower
	err := f.db.WithContext(ctx).Raw(`SELECT f.user_id, u.name, u.email, f.added_by, f.added_at FROM incident_followers f
		JOIN users u ON u.id = f.user_id WHERE f.incident_id = ? ORDER BY f.added_at, f.user_id`, inc.ID).Scan(&out).Error
	if err != nil {
		return nil, dbx.Translate(err, "followers")
	}
	for i := range out {
		out[i].AddedAt = out[i].AddedAt.UTC()
	}
	return out, nil
}

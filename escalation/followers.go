package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
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
	store *Store
	users Customers
	clock clock.Clock
}

// Customers is what followers ask internal/accounts: who a would-be follower is and which
// incidents they may see, and the followers' names and addresses, a list's worth in one call.
// *accounts.Store implements it.
type Customers interface {
	// FindUserWithCircle returns the user with their circle and their organisation's incident
	// visibility loaded (what tickets.Visible reads), or not_found.
	FindUserWithCircle(ctx context.Context, id uuid.UUID) (accounts.User, error)
	// FindUsers returns the users among ids that exist, by ID.
	FindUsers(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]accounts.User, error)
}

// NewFollowers returns the followers and preferences over store; users answers who may follow
// and what followers are called.
func NewFollowers(store *Store, users Customers, c clock.Clock) *Followers {
	c = clock.Required(c, "escalation.NewFollowers")
	return &Followers{store: store, users: users, clock: c}
}

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

// mayFollow reports whether u may follow inc: an active member or admin of its organisation who
// may see it (an admin every incident of it, a member where the organisation shows members all
// its incidents or the opener shares a group with them).
func mayFollow(u accounts.User, inc tickets.Incident) bool {
	return u.DeactivatedAt == nil && (u.Role == accounts.Member || u.Role == accounts.OrgAdmin) && tickets.Visible(u, inc)
}

// Follow adds userID to inc's followers (idempotent).
// Errors: forbidden, invalid_value (user_id: not a customer of the incident's organisation who
// may see it), storage errors.
func (f *Followers) Follow(ctx context.Context, actor accounts.User, inc tickets.Incident, userID uuid.UUID) ([]Follower, error) {
	if err := mayChange(actor, inc); err != nil {
		return nil, err
	}
	u, err := f.users.FindUserWithCircle(ctx, userID)
	if isNotFound(err) {
		return nil, errNotFollowable
	}
	if err != nil {
		return nil, err
	}
	if !mayFollow(u, inc) {
		return nil, errNotFollowable
	}
	if err := f.store.addFollower(ctx, followerRow{IncidentID: inc.ID, UserID: userID, AddedBy: actor.ID, AddedAt: f.clock.Now()}); err != nil {
		return nil, err
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
	return f.store.removeFollower(ctx, inc.ID, userID)
}

// Page returns a page of inc's followers, oldest first, and the next page's cursor.
// Errors: invalid_value (limit, cursor).
func (f *Followers) Page(ctx context.Context, inc tickets.Incident, req page.Request) ([]Follower, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	rows, err := f.store.findFollowers(ctx, inc.ID, &req)
	if err != nil {
		return nil, "", err
	}
	rows, next := page.Cut(rows, req.Limit, func(r followerRow) page.Cursor { return page.Cursor{At: r.AddedAt.UTC(), ID: r.UserID.String()} })
	out, err := f.named(ctx, rows)
	return out, next, err
}

// List returns all of inc's followers, oldest first (the answer to a change of them).
func (f *Followers) List(ctx context.Context, inc tickets.Incident) ([]Follower, error) {
	rows, err := f.store.findFollowers(ctx, inc.ID, nil)
	if err != nil {
		return nil, err
	}
	return f.named(ctx, rows)
}

// named completes follower rows with the users' names and addresses, in one look-up. A
// follower who is no longer a user is left out.
func (f *Followers) named(ctx context.Context, rows []followerRow) ([]Follower, error) {
	out := make([]Follower, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	users, err := f.users.FindUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		u, ok := users[r.UserID]
		if !ok {
			continue
		}
		out = append(out, Follower{UserID: r.UserID, Name: u.Name, Email: u.Email, AddedBy: r.AddedBy, AddedAt: r.AddedAt.UTC()})
	}
	return out, nil
}

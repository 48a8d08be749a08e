package accounts

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// ReachAsk asks which customers of an organisation hear of an incident one of them opened.
type ReachAsk struct {
	Org    uuid.UUID
	Opener uuid.UUID
	// Users are the customers named for it (the opener, the incident's followers).
	Users []uuid.UUID
	// Groups adds everyone sharing a group with the opener (the organisation notifies groups).
	Groups bool
}

// Reached is one customer a ReachAsk found.
type Reached struct {
	// User carries their organisation's IncidentVisibility (Circle is not loaded).
	User User
	// WithOpener: they are the opener or share a group with them.
	WithOpener bool
}

// Sees reports whether the customer may see incidents the ask's opener opened: an org admin or
// a member of an organisation whose members see all its incidents always, a member who sees
// their own only when the opener is in their circle (the rule tickets.Visible applies).
func (r Reached) Sees() bool { return !r.User.SeesOwnOnly() || r.WithOpener }

// FindReachIn answers each ask (out[i] answers asks[i]), read in tx in one statement however many
// asks and users: the active customers (members and org admins, not deactivated) of ask.Org
// among ask.Users and, when ask.Groups, everyone sharing a group with ask.Opener; each once,
// ordered by ID. Users of another organisation and staff are left out.
// Errors: storage errors.
func (s *Store) FindReachIn(ctx context.Context, tx dbx.Tx, asks []ReachAsk) ([][]Reached, error) {
	out := make([][]Reached, len(asks))
	if len(asks) == 0 {
		return out, nil
	}
	orgs, openers, groups := make([]uuid.UUID, len(asks)), make([]uuid.UUID, len(asks)), make([]bool, len(asks))
	var named []int // ask of each named user
	var users []uuid.UUID
	for i, a := range asks {
		orgs[i], openers[i], groups[i] = a.Org, a.Opener, a.Groups
		for _, u := range a.Users {
			named, users = append(named, i), append(users, u)
		}
	}
	var rows []struct {
		N                  int
		User               userRow `gorm:"embedded"`
		IncidentVisibility string
		WithOpener         bool
	}
	err := tx.Gorm().WithContext(ctx).Raw(`WITH ask AS (SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::bool[]) WITH ORDINALITY AS a (org, opener, grp, n)),
		named AS (SELECT * FROM unnest(?::int[], ?::uuid[]) AS u (n, user_id)),
		circle AS (SELECT DISTINCT me.user_id AS opener, co.user_id FROM group_members me JOIN group_members co ON co.group_id = me.group_id
			WHERE me.user_id IN (SELECT opener FROM ask)),
		cand AS (SELECT n, user_id FROM named
			UNION SELECT ask.n - 1, circle.user_id FROM ask JOIN circle ON circle.opener = ask.opener WHERE ask.grp)
		SELECT cand.n, u.id, u.email, u.name, u.role, u.senior, u.organization_id, u.office, u.locale, u.time_zone,
			u.deactivated_at, u.created_at, u.updated_at, o.incident_visibility,
			(u.id = ask.opener OR EXISTS (SELECT 1 FROM circle c WHERE c.opener = ask.opener AND c.user_id = u.id)) AS with_opener
		FROM cand JOIN ask ON ask.n - 1 = cand.n JOIN users u ON u.id = cand.user_id JOIN organizations o ON o.id = ask.org
		WHERE u.organization_id = ask.org AND u.role IN ('member', 'org_admin') AND u.deactivated_at IS NULL
		ORDER BY cand.n, u.id`, dbx.UUIDArray(orgs), dbx.UUIDArray(openers), dbx.BoolArray(groups), dbx.IntArray(named), dbx.UUIDArray(users)).
		Scan(&rows).Error
	if err != nil {
		return nil, dbx.Translate(err, "customers")
	}
	for _, r := range rows {
		u := r.User.toUser()
		u.IncidentVisibility = Visibility(r.IncidentVisibility)
		out[r.N] = append(out[r.N], Reached{User: u, WithOpener: r.WithOpener})
	}
	return out, nil
}

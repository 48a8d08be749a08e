package accounts

import (
	"context"
	"strings"

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

// reachChunk bounds the asks of one statement (4 parameters each) well under PostgreSQL's
// 65,535 parameters.
const reachChunk = 4000

// FindReachIn answers each ask (out[i] answers asks[i]), read in tx: the active customers
// (members and org admins, not deactivated) of ask.Org among ask.Users and, when ask.Groups,
// everyone sharing a group with ask.Opener; each once, ordered by ID. Users of another
// organisation and staff are left out. One statement per 4,000 asks, however many users.
// Errors: storage errors.
func (s *Store) FindReachIn(ctx context.Context, tx dbx.Tx, asks []ReachAsk) ([][]Reached, error) {
	out := make([][]Reached, len(asks))
	for base := 0; base < len(asks); base += reachChunk {
		if err := findReach(ctx, tx, asks[base:min(len(asks), base+reachChunk)], out[base:]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func findReach(ctx context.Context, tx dbx.Tx, asks []ReachAsk, out [][]Reached) error {
	args := make([]any, 0, 5*len(asks))
	for i, a := range asks {
		args = append(args, i, a.Org, a.Opener, a.Groups, uuidArray(a.Users))
	}
	var rows []struct {
		N                  int
		User               userRow `gorm:"embedded"`
		IncidentVisibility string
		WithOpener         bool
	}
	err := tx.Gorm().WithContext(ctx).Raw(`WITH ask (n, org, opener, grp, users) AS (VALUES `+dbx.Values(len(asks), "(?::int, ?::uuid, ?::uuid, ?::bool, ?::uuid[])")+`),
		circle AS (SELECT DISTINCT me.user_id AS opener, co.user_id FROM group_members me JOIN group_members co ON co.group_id = me.group_id
			WHERE me.user_id IN (SELECT opener FROM ask)),
		cand AS (SELECT ask.n, unnest(ask.users) AS user_id FROM ask
			UNION SELECT ask.n, circle.user_id FROM ask JOIN circle ON circle.opener = ask.opener WHERE ask.grp)
		SELECT cand.n, u.id, u.email, u.name, u.role, u.senior, u.organization_id, u.office, u.locale, u.time_zone,
			u.deactivated_at, u.created_at, u.updated_at, o.incident_visibility,
			(u.id = ask.opener OR EXISTS (SELECT 1 FROM circle c WHERE c.opener = ask.opener AND c.user_id = u.id)) AS with_opener
		FROM cand JOIN ask ON ask.n = cand.n JOIN users u ON u.id = cand.user_id JOIN organizations o ON o.id = ask.org
		WHERE u.organization_id = ask.org AND u.role IN ('member', 'org_admin') AND u.deactivated_at IS NULL
		ORDER BY cand.n, u.id`, args...).Scan(&rows).Error
	if err != nil {
		return dbx.Translate(err, "customers")
	}
	for _, r := range rows {
		u := r.User.toUser()
		u.IncidentVisibility = Visibility(r.IncidentVisibility)
		out[r.N] = append(out[r.N], Reached{User: u, WithOpener: r.WithOpener})
	}
	return nil
}

// uuidArray is ids as a PostgreSQL array literal (UUIDs need no quoting).
func uuidArray(ids []uuid.UUID) string {
	var b strings.Builder
	b.Grow(2 + 37*len(ids))
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}

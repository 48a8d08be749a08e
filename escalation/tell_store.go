package escalation

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

// person is one customer who hears of an incident.
type person struct {
	ID       uuid.UUID
	Email    string
	Name     string
	Language string // ja or en
	Mail     bool   // e-mail on, and the address not known to bounce
}

// audience is who hears of an incident, with what the texts and threads need.
type audience struct {
	people   []person
	engineer string // the assignee's name, for the first response
	// thread holds, per recipient, the IDs of the latest e-mails about the incident sent to
	// them (oldest first, at most mailmsg.MaxReferences): the next one answers the last.
	thread map[uuid.UUID][]uuid.UUID
}

// audienceChunk bounds the incidents (3 parameters each) and the webhook keys (3 each) of one
// statement well under PostgreSQL's 65,535 parameters; a firing batch is far smaller.
const audienceChunk = 2000

// own is what escalation's own tables say of a batch.
type own struct {
	followers map[uuid.UUID][]uuid.UUID // by incident
	orgs      map[uuid.UUID]orgSettings // organisations with settings
	prefs     map[uuid.UUID]preference  // users with preferences
	asked     map[uuid.UUID]bool        // users whose preferences were read (had or not)
	hooks     map[hookKey][]uuid.UUID
}

// orgSettings is an organisation's notification settings.
type orgSettings struct {
	groups   bool   // members of the opener's groups hear of the opener's incidents
	language string // "": none chosen
}

// preference is a user's notification preferences.
type preference struct {
	mail     bool
	language string // "": the organisation's
}

// ownRow is one row of readOwn's statement; What says which table it comes from.
type ownRow struct {
	What     int // 0 follower (A incident, B user), 1 settings (A org), 2 preferences (A user), 3 webhook (A id)
	A        uuid.UUID
	B        *uuid.UUID
	Key      int
	Flag     bool
	Language string
}

// readOwn reads, per chunk of incidents and webhook keys, in one statement: the incidents'
// followers, their organisations' settings, the preferences of their openers and followers and
// the active webhooks that want each key (as findSubscribers answers for each).
func readOwn(ctx context.Context, tx dbx.Tx, incs []tickets.Incident, keys []hookKey) (*own, error) {
	o := &own{followers: map[uuid.UUID][]uuid.UUID{}, orgs: map[uuid.UUID]orgSettings{},
		prefs: map[uuid.UUID]preference{}, asked: map[uuid.UUID]bool{}, hooks: map[hookKey][]uuid.UUID{}}
	var uniqKeys []hookKey
	for _, k := range keys {
		if _, ok := o.hooks[k]; !ok {
			o.hooks[k] = nil
			uniqKeys = append(uniqKeys, k)
		}
	}
	for len(incs) > 0 || len(uniqKeys) > 0 {
		ni, nk := min(len(incs), audienceChunk), min(len(uniqKeys), audienceChunk)
		if err := o.read(ctx, tx, incs[:ni], uniqKeys[:nk]); err != nil {
			return nil, err
		}
		for _, inc := range incs[:ni] {
			o.asked[inc.OpenedBy] = true
			for _, f := range o.followers[inc.ID] {
				o.asked[f] = true
			}
		}
		incs, uniqKeys = incs[ni:], uniqKeys[nk:]
	}
	return o, nil
}

func (o *own) read(ctx context.Context, tx dbx.Tx, incs []tickets.Incident, keys []hookKey) error {
	var parts []string
	var args []any
	if len(incs) > 0 {
		for _, inc := range incs {
			args = append(args, inc.ID, inc.OrganizationID, inc.OpenedBy)
		}
		parts = append(parts, `SELECT 0 AS what, incident_id AS a, user_id AS b, 0 AS key, 0::bigint AS ord, false AS flag, ''::text AS language FROM fol
			UNION ALL SELECT 1, organization_id, NULL, 0, 0, notify_groups, coalesce(language, '') FROM organization_notification_settings
				WHERE organization_id IN (SELECT org FROM inc)
			UNION ALL SELECT 2, user_id, NULL, 0, 0, email, coalesce(language, '') FROM notification_preferences
				WHERE user_id IN (SELECT opener FROM inc UNION SELECT user_id FROM fol)`)
	}
	if len(keys) > 0 {
		for i, k := range keys {
			var org *uuid.UUID // a staff-only kind: global subscriptions alone
			if NoteAudience(k.kind) == tickets.AudienceCustomer {
				org = &k.org
			}
			args = append(args, i, k.kind, org)
		}
		parts = append(parts, `SELECT 3 AS what, w.id AS a, NULL::uuid AS b, k.key, row_number() OVER (ORDER BY w.created_at, w.id) AS ord, false AS flag, ''::text AS language FROM webhooks w
			JOIN (VALUES `+dbx.Values(len(keys), "(?::int, ?::text, ?::uuid)")+`) AS k (key, kind, org)
				ON (w.events = '[]'::jsonb OR w.events @> jsonb_build_array(k.kind)) AND (w.organization_id IS NULL OR w.organization_id = k.org)
			WHERE w.active`)
	}
	// The VALUES list of incidents always opens the statement so that argument order follows it.
	incValues := "(NULL::uuid, NULL::uuid, NULL::uuid)"
	if len(incs) > 0 {
		incValues = dbx.Values(len(incs), "(?::uuid, ?::uuid, ?::uuid)")
	}
	var rows []ownRow
	err := tx.Gorm().WithContext(ctx).Raw(`WITH inc (id, org, opener) AS (VALUES `+incValues+`),
		fol AS (SELECT incident_id, user_id FROM incident_followers WHERE incident_id IN (SELECT id FROM inc))
		`+strings.Join(parts, " UNION ALL ")+` ORDER BY what, ord`, args...).Scan(&rows).Error
	if err != nil {
		return dbx.Translate(err, "recipients")
	}
	for _, r := range rows {
		switch r.What {
		case 0:
			o.followers[r.A] = append(o.followers[r.A], *r.B)
		case 1:
			o.orgs[r.A] = orgSettings{groups: r.Flag, language: r.Language}
		case 2:
			o.prefs[r.A] = preference{mail: r.Flag, language: r.Language}
		case 3:
			k := keys[r.Key]
			o.hooks[k] = append(o.hooks[k], r.A)
		}
	}
	return nil
}

// readMorePrefs reads the preferences of the reached customers readOwn did not ask about (group
// co-members), in one statement, only when there are any.
func (o *own) readMorePrefs(ctx context.Context, tx dbx.Tx, reached [][]accounts.Reached) error {
	var ids []uuid.UUID
	for _, rs := range reached {
		for _, r := range rs {
			if !o.asked[r.User.ID] {
				o.asked[r.User.ID] = true
				ids = append(ids, r.User.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		UserID   uuid.UUID
		Email    bool
		Language *string
	}
	if err := tx.Gorm().WithContext(ctx).Raw(`SELECT user_id, email, language FROM notification_preferences WHERE user_id IN ?`, ids).
		Scan(&rows).Error; err != nil {
		return dbx.Translate(err, "notification preferences")
	}
	for _, r := range rows {
		p := preference{mail: r.Email}
		if r.Language != nil {
			p.language = *r.Language
		}
		o.prefs[r.UserID] = p
	}
	return nil
}

// findThreads fills in, per incident and recipient, the latest e-mails about the incident sent
// to them (oldest first, at most mailmsg.MaxReferences).
func findThreads(ctx context.Context, dtx dbx.Tx, out map[uuid.UUID]*audience, opened map[uuid.UUID]bool) error {
	var args []any
	for inc, aud := range out {
		if opened[inc] {
			continue // opened in this step: nothing about it was sent yet
		}
		for _, p := range aud.people {
			args = append(args, inc, p.ID)
		}
	}
	for len(args) > 0 {
		n := min(len(args), 2*audienceChunk)
		if err := findThreadsOf(ctx, dtx.Gorm(), args[:n], out); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

func findThreadsOf(ctx context.Context, tx *gorm.DB, pairs []any, out map[uuid.UUID]*audience) error {
	var sent []struct {
		IncidentID  uuid.UUID
		RecipientID uuid.UUID
		ID          uuid.UUID
	}
	args := append(append([]any{}, pairs...), CustomerKinds, mailmsg.MaxReferences)
	err := tx.WithContext(ctx).Raw(`SELECT incident_id, recipient_id, id FROM (
			SELECT n.incident_id, n.recipient_id, n.id, n.created_at,
				row_number() OVER (PARTITION BY n.incident_id, n.recipient_id ORDER BY n.created_at DESC, n.id DESC) AS k
			FROM notifications n JOIN (VALUES `+dbx.Values(len(pairs)/2, "(?::uuid, ?::uuid)")+`) AS v (incident_id, recipient_id)
				ON n.incident_id = v.incident_id AND n.recipient_id = v.recipient_id
			WHERE n.channel = 'email' AND n.kind IN ?
		) t WHERE k <= ? ORDER BY created_at, id`, args...).Scan(&sent).Error
	if err != nil {
		return dbx.Translate(err, "notifications")
	}
	for _, s := range sent {
		aud := out[s.IncidentID]
		aud.thread[s.RecipientID] = append(aud.thread[s.RecipientID], s.ID)
	}
	return nil
}

// hookKey is a notification kind about an organisation's incident.
type hookKey struct {
	kind string
	org  uuid.UUID
}

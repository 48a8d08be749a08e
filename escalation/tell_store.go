package escalation

import (
	"context"

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

// audienceChunk bounds the incidents of one audience statement (3 parameters each) well under
// PostgreSQL's 65,535 parameters; a firing batch is far smaller.
const audienceChunk = 2000

// findAudiences returns each incident's customer audience (by incident ID): the opener, the
// followers and, when the organisation asks for it, everyone sharing a group with the opener;
// each an active customer of the incident's organisation who may see the incident now (members
// of an organisation whose members see their own see only their circle's). However many
// incidents, it reads the people in one statement, the assignees' names in one and the
// recipients' e-mail threads in one; it asks for no thread of an incident in opened (opened in
// this step: nothing about it was sent yet), so an intake spends no statement on threads.
func findAudiences(ctx context.Context, dtx dbx.Tx, incs []tickets.Incident, opened map[uuid.UUID]bool) (map[uuid.UUID]*audience, error) {
	tx := dtx.Gorm()
	out := make(map[uuid.UUID]*audience, len(incs))
	var uniq []tickets.Incident
	for _, inc := range incs {
		if _, ok := out[inc.ID]; !ok {
			out[inc.ID] = &audience{thread: map[uuid.UUID][]uuid.UUID{}}
			uniq = append(uniq, inc)
		}
	}
	for len(uniq) > 0 {
		n := min(len(uniq), audienceChunk)
		if err := findPeople(ctx, tx, uniq[:n], out); err != nil {
			return nil, err
		}
		uniq = uniq[n:]
	}
	if err := findEngineers(ctx, tx, incs, out); err != nil {
		return nil, err
	}
	if err := findThreads(ctx, tx, out, opened); err != nil {
		return nil, err
	}
	return out, nil
}

// findPeople fills in the people of each incident's audience.
func findPeople(ctx context.Context, tx *gorm.DB, incs []tickets.Incident, out map[uuid.UUID]*audience) error {
	var rows []struct {
		IncidentID uuid.UUID
		ID         uuid.UUID
		Email      string
		Name       string
		Role       string
		Mail       bool
		Language   string
		InCircle   bool
		Visibility string
	}
	args := make([]any, 0, 3*len(incs))
	for _, inc := range incs {
		args = append(args, inc.ID, inc.OrganizationID, inc.OpenedBy)
	}
	err := tx.WithContext(ctx).Raw(`WITH inc (id, org, opener) AS (VALUES `+dbx.Values(len(incs), "(?::uuid, ?::uuid, ?::uuid)")+`),
		org AS (
			SELECT o.id, o.incident_visibility, coalesce(s.notify_groups, false) AS notify_groups, s.language
			FROM organizations o LEFT JOIN organization_notification_settings s ON s.organization_id = o.id
			WHERE o.id IN (SELECT org FROM inc)),
		circle AS (SELECT DISTINCT me.user_id AS opener, co.user_id FROM group_members me JOIN group_members co ON co.group_id = me.group_id
			WHERE me.user_id IN (SELECT opener FROM inc)),
		cand AS (SELECT inc.id AS incident_id, inc.opener AS user_id FROM inc
			UNION SELECT f.incident_id, f.user_id FROM incident_followers f WHERE f.incident_id IN (SELECT id FROM inc)
			UNION SELECT inc.id, c.user_id FROM inc JOIN circle c ON c.opener = inc.opener JOIN org ON org.id = inc.org WHERE org.notify_groups)
		SELECT cand.incident_id, u.id, u.email, u.name, u.role, coalesce(p.email, true) AS mail,
			coalesce(p.language, org.language, 'en') AS language,
			(u.id = inc.opener OR EXISTS (SELECT 1 FROM circle c WHERE c.opener = inc.opener AND c.user_id = u.id)) AS in_circle,
			org.incident_visibility AS visibility
		FROM cand JOIN inc ON inc.id = cand.incident_id LEFT JOIN org ON org.id = inc.org
			JOIN users u ON u.id = cand.user_id LEFT JOIN notification_preferences p ON p.user_id = u.id
		WHERE u.organization_id = inc.org AND u.role IN ('member', 'org_admin') AND u.deactivated_at IS NULL
		ORDER BY cand.incident_id, u.id`, args...).Scan(&rows).Error
	if err != nil {
		return dbx.Translate(err, "recipients")
	}
	for _, r := range rows {
		if accounts.Role(r.Role) == accounts.Member && accounts.Visibility(r.Visibility) == accounts.VisibilityOwn && !r.InCircle {
			continue // they no longer see it
		}
		// An address known to bounce still gets its row: the delivery worker asks the mail channel
		// (DeliveryConfig.Undeliverable) and fails it at once, visibly, instead of sending.
		aud := out[r.IncidentID]
		aud.people = append(aud.people, person{ID: r.ID, Email: r.Email, Name: r.Name, Language: r.Language, Mail: r.Mail})
	}
	return nil
}

// findEngineers fills in the assignee's name of each assigned incident's audience.
func findEngineers(ctx context.Context, tx *gorm.DB, incs []tickets.Incident, out map[uuid.UUID]*audience) error {
	var ids []uuid.UUID
	for _, inc := range incs {
		if inc.AssigneeID != nil {
			ids = append(ids, *inc.AssigneeID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	if err := tx.WithContext(ctx).Table("users").Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return dbx.Translate(err, "engineer")
	}
	names := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	for _, inc := range incs {
		if inc.AssigneeID != nil {
			out[inc.ID].engineer = names[*inc.AssigneeID]
		}
	}
	return nil
}

// findThreads fills in, per incident and recipient, the latest e-mails about the incident sent
// to them (oldest first, at most mailmsg.MaxReferences).
func findThreads(ctx context.Context, tx *gorm.DB, out map[uuid.UUID]*audience, opened map[uuid.UUID]bool) error {
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
		if err := findThreadsOf(ctx, tx, args[:n], out); err != nil {
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

// findHooks returns, for each kind and organisation, the active webhooks that want notes of
// that kind about that organisation's incidents (as findSubscribers answers for each), in one
// statement for them all.
func findHooks(ctx context.Context, dtx dbx.Tx, keys []hookKey) (map[hookKey][]uuid.UUID, error) {
	tx := dtx.Gorm()
	out := map[hookKey][]uuid.UUID{}
	var uniq []hookKey
	var args []any
	for _, k := range keys {
		if _, ok := out[k]; ok {
			continue
		}
		out[k] = nil
		var org *uuid.UUID // a staff-only kind: global subscriptions alone
		if NoteAudience(k.kind) == tickets.AudienceCustomer {
			org = &k.org
		}
		args = append(args, len(uniq), k.kind, org)
		uniq = append(uniq, k)
	}
	if len(uniq) == 0 {
		return out, nil
	}
	var rows []struct {
		Key int
		ID  uuid.UUID
	}
	err := tx.WithContext(ctx).Raw(`SELECT k.key, w.id FROM webhooks w
		JOIN (VALUES `+dbx.Values(len(uniq), "(?::int, ?::text, ?::uuid)")+`) AS k (key, kind, org)
			ON (w.events = '[]'::jsonb OR w.events @> jsonb_build_array(k.kind)) AND (w.organization_id IS NULL OR w.organization_id = k.org)
		WHERE w.active ORDER BY w.created_at, w.id`, args...).Scan(&rows).Error
	if err != nil {
		return nil, dbx.Translate(err, "webhooks")
	}
	for _, r := range rows {
		k := uniq[r.Key]
		out[k] = append(out[k], r.ID)
	}
	return out, nil
}

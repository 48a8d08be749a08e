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

// findAudience returns the incident's customer audience: the opener, the followers and, when
// the organisation asks for it, everyone sharing a group with the opener; each an active
// customer of the incident's organisation who may see the incident now (members of an
// organisation whose members see their own see only their circle's).
func findAudience(ctx context.Context, tx *gorm.DB, inc tickets.Incident) (*audience, error) {
	var rows []struct {
		ID         uuid.UUID
		Email      string
		Name       string
		Role       string
		Mail       bool
		Language   string
		InCircle   bool
		Visibility string
	}
	err := tx.WithContext(ctx).Raw(`WITH org AS (
			SELECT o.incident_visibility, coalesce(s.notify_groups, false) AS notify_groups, s.language
			FROM organizations o LEFT JOIN organization_notification_settings s ON s.organization_id = o.id
			WHERE o.id = @org),
		circle AS (SELECT DISTINCT co.user_id FROM group_members me JOIN group_members co ON co.group_id = me.group_id
			WHERE me.user_id = @opener),
		cand AS (SELECT CAST(@opener AS uuid) AS user_id
			UNION SELECT user_id FROM incident_followers WHERE incident_id = @inc
			UNION SELECT user_id FROM circle WHERE (SELECT notify_groups FROM org))
		SELECT u.id, u.email, u.name, u.role, coalesce(p.email, true) AS mail,
			coalesce(p.language, (SELECT language FROM org), 'en') AS language,
			(u.id = @opener OR u.id IN (SELECT user_id FROM circle)) AS in_circle,
			(SELECT incident_visibility FROM org) AS visibility
		FROM cand JOIN users u ON u.id = cand.user_id LEFT JOIN notification_preferences p ON p.user_id = u.id
		WHERE u.organization_id = @org AND u.role IN ('member', 'org_admin') AND u.deactivated_at IS NULL
		ORDER BY u.id`, map[string]any{"org": inc.OrganizationID, "opener": inc.OpenedBy, "inc": inc.ID}).Scan(&rows).Error
	if err != nil {
		return nil, dbx.Translate(err, "recipients")
	}
	aud := &audience{thread: map[uuid.UUID][]uuid.UUID{}}
	for _, r := range rows {
		if accounts.Role(r.Role) == accounts.Member && accounts.Visibility(r.Visibility) == accounts.VisibilityOwn && !r.InCircle {
			continue // they no longer see it
		}
		aud.people = append(aud.people, person{ID: r.ID, Email: r.Email, Name: r.Name, Language: r.Language, Mail: r.Mail})
	}
	// An address known to bounce still gets its row: the delivery worker asks the mail channel
	// (DeliveryConfig.Undeliverable) and fails it at once, visibly, instead of sending.
	ids := make([]uuid.UUID, 0, len(aud.people))
	for _, p := range aud.people {
		ids = append(ids, p.ID)
	}
	if inc.AssigneeID != nil {
		if err := tx.WithContext(ctx).Table("users").Select("name").Where("id = ?", *inc.AssigneeID).Scan(&aud.engineer).Error; err != nil {
			return nil, dbx.Translate(err, "engineer")
		}
	}
	if len(ids) == 0 {
		return aud, nil
	}
	var sent []struct {
		RecipientID uuid.UUID
		ID          uuid.UUID
	}
	err = tx.WithContext(ctx).Raw(`SELECT recipient_id, id FROM (
			SELECT recipient_id, id, created_at, row_number() OVER (PARTITION BY recipient_id ORDER BY created_at DESC, id DESC) AS n
			FROM notifications WHERE channel = 'email' AND incident_id = ? AND recipient_id IN ? AND kind IN ?
		) t WHERE n <= ? ORDER BY created_at, id`, inc.ID, ids, CustomerKinds, mailmsg.MaxReferences).Scan(&sent).Error
	if err != nil {
		return nil, dbx.Translate(err, "notifications")
	}
	for _, s := range sent {
		aud.thread[s.RecipientID] = append(aud.thread[s.RecipientID], s.ID)
	}
	return aud, nil
}

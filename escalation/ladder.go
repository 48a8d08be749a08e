package escalation

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Ladder is the escalation ladder (SPEC §2): level 1 goes to the support managers of the
// customer's office, level 2 to its executives (office head, sales manager); a platinum
// account's TSAM hears of every incident, breach and escalation. It implements
// tickets.Escalator: every method writes inside the caller's transaction.
type Ladder struct {
	users    *accounts.Store
	notifier *Notifier
}

// NewLadder returns the ladder.
func NewLadder(users *accounts.Store, n *Notifier) *Ladder { return &Ladder{users: users, notifier: n} }

type escalationRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	IncidentID     uuid.UUID
	Level          int
	RecipientID    uuid.UUID
	Reason         string
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

func (escalationRow) TableName() string { return "escalations" }

// staffOf returns the office's staff with the role; when the office has none, every office's,
// so an escalation always reaches someone.
func (l *Ladder) staffOf(ctx context.Context, tx *gorm.DB, office string, role accounts.Role) ([]uuid.UUID, error) {
	users := l.users.With(tx)
	us, err := users.FindStaff(ctx, office, role)
	if err == nil && len(us) == 0 && office != "" {
		us, err = users.FindStaff(ctx, "", role)
	}
	ids := make([]uuid.UUID, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids, err
}

func (l *Ladder) tsam(ctx context.Context, tx *gorm.DB, inc tickets.Incident) (accounts.Organization, []uuid.UUID, error) {
	org, err := l.users.With(tx).FindOrganizationByID(ctx, inc.OrganizationID)
	if err != nil {
		return org, nil, err
	}
	if org.TSAMID != nil && inc.Tier == string(sla.Platinum) {
		return org, []uuid.UUID{*org.TSAMID}, nil
	}
	return org, nil, nil
}

// Opened tells a platinum account's TSAM about a new incident.
func (l *Ladder) Opened(ctx context.Context, tx *gorm.DB, inc tickets.Incident, now time.Time) ([]uuid.UUID, error) {
	_, tsam, err := l.tsam(ctx, tx, inc)
	if err != nil || len(tsam) == 0 {
		return nil, err
	}
	id := inc.ID
	return l.notifier.Notify(ctx, tx, now, Note{Kind: KindIncidentOpened, IncidentID: &id, Recipients: tsam,
		Subject:  fmt.Sprintf("[%s] new severity %d incident: %s", inc.Reference, inc.Severity, inc.Title),
		Body:     fmt.Sprintf("%s opened %s (%s, severity %d, %s).", inc.Channel, inc.Reference, inc.Product, inc.Severity, inc.Tier),
		Data:     map[string]any{"reference": inc.Reference, "severity": inc.Severity, "tier": inc.Tier},
		DedupKey: "opened:" + inc.ID.String()})
}

// Escalated records one escalation row per recipient of the level and tells them (and the TSAM).
func (l *Ladder) Escalated(ctx context.Context, tx *gorm.DB, inc tickets.Incident, level int, reason string, now time.Time) ([]uuid.UUID, error) {
	org, tsam, err := l.tsam(ctx, tx, inc)
	if err != nil {
		return nil, err
	}
	role := accounts.SupportManager
	if level >= 2 {
		role = accounts.Executive
	}
	recipients, err := l.staffOf(ctx, tx, org.Office, role)
	if err != nil {
		return nil, err
	}
	for _, r := range recipients {
		row := escalationRow{ID: uuid.Must(uuid.NewV7()), IncidentID: inc.ID, Level: level, RecipientID: r, Reason: reason, CreatedAt: now}
		if err := tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return nil, err
		}
	}
	id := inc.ID
	who := map[int]string{1: "support manager", 2: "executive"}[level]
	return l.notifier.Notify(ctx, tx, now, Note{Kind: KindEscalation, IncidentID: &id, Recipients: uniqueIDs(append(recipients, tsam...)),
		Subject: fmt.Sprintf("[%s] escalated to %s (level %d)", inc.Reference, who, level),
		Body: fmt.Sprintf("%s — %s, %s tier, severity %d — reached escalation level %d (%s) at %s.",
			inc.Reference, inc.Title, inc.Tier, inc.Severity, level, reason, now.UTC().Format(time.RFC3339)),
		Data:     map[string]any{"reference": inc.Reference, "level": level, "reason": reason, "organization_id": inc.OrganizationID},
		DedupKey: fmt.Sprintf("escalation:%s:%d", inc.ID, level)})
}

// Breached tells the assignee and their managers (the customer's office's when unassigned) that a
// response or update target passed unmet.
func (l *Ladder) Breached(ctx context.Context, tx *gorm.DB, inc tickets.Incident, target sla.Target, due, now time.Time) ([]uuid.UUID, error) {
	org, tsam, err := l.tsam(ctx, tx, inc)
	if err != nil {
		return nil, err
	}
	office := org.Office
	var recipients []uuid.UUID
	if inc.AssigneeID != nil {
		recipients = append(recipients, *inc.AssigneeID)
		if a, err := l.users.With(tx).FindUserByID(ctx, *inc.AssigneeID); err == nil && a.Office != "" {
			office = a.Office
		}
	}
	managers, err := l.staffOf(ctx, tx, office, accounts.SupportManager)
	if err != nil {
		return nil, err
	}
	id := inc.ID
	return l.notifier.Notify(ctx, tx, now, Note{Kind: KindBreach, IncidentID: &id, Recipients: uniqueIDs(append(append(recipients, managers...), tsam...)),
		Subject:  fmt.Sprintf("[%s] %s missed", inc.Reference, target),
		Body:     fmt.Sprintf("%s (%s tier, severity %d): %s was due at %s and was not met.", inc.Reference, inc.Tier, inc.Severity, target, due.UTC().Format(time.RFC3339)),
		Data:     map[string]any{"reference": inc.Reference, "target": target, "due_at": due},
		DedupKey: fmt.Sprintf("breach:%s:%s:%d", inc.ID, target, due.UnixMicro())})
}

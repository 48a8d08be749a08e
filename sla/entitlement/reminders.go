package entitlement

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
)

// ReminderCatchUp bounds how late a reminder may still go out: a worker that was down for a
// weekend catches up, but a contract imported long after its end does not get "your contract ends
// today" months later.
const ReminderCatchUp = 7 * 24 * time.Hour

// Reminders sends renewal reminders to organisations' admins.
type Reminders struct {
	store *Store
	users interface {
		FindUsersByOrganization(ctx context.Context, orgID uuid.UUID, roles ...accounts.Role) ([]accounts.User, error)
		FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
	}
	log      *slog.Logger
	notifier Notifier
}

// Reminder is one renewal reminder as it is told: who hears it and what it says. DedupKey names
// the (contract, milestone, period), so telling it twice writes nothing new.
type Reminder struct {
	OrganizationID uuid.UUID
	Recipients     []uuid.UUID
	Subject, Body  string
	Data           map[string]any
	DedupKey       string
}

// Notifier writes a reminder's notifications (inbox, e-mail, subscribed webhooks) inside the
// transaction that claims it, and returns the outbox deliveries it wrote.
// *escalation.Outbox implements it.
type Notifier interface {
	RemindRenewal(ctx context.Context, tx dbx.Tx, r Reminder) ([]uuid.UUID, error)
}

// NewReminders returns the reminder sender on store; reminders reach the admins through notifier
// (inbox, e-mail when configured, subscribed webhooks) and each sent one is logged to log.
func NewReminders(store *Store, users interface {
	FindUsersByOrganization(ctx context.Context, orgID uuid.UUID, roles ...accounts.Role) ([]accounts.User, error)
	FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
}, notifier Notifier, log *slog.Logger) *Reminders {
	return &Reminders{store: store, users: users, notifier: notifier, log: log}
}

// SendDue sends every reminder due at now that has not been sent, and returns how many it sent.
// It reads only contracts with a milestone within ReminderCatchUp of now, with the reminders
// already sent for their period, so a pass where nothing is due costs one query. Each unsent
// (entitlement, milestone, contract period) is then claimed by inserting its row and its
// notifications in one transaction, so any number of concurrent runs send each reminder once.
func (r *Reminders) SendDue(ctx context.Context, now time.Time) (int, error) {
	ents, sentBefore, err := r.store.findReminderCandidates(ctx, now.Add(-ReminderCatchUp), now)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, e := range ents {
		for _, m := range DueMilestones(e, now) {
			due := MilestoneAt(e, m)
			if now.Sub(due) > ReminderCatchUp || sentBefore[e.ID][m] {
				continue
			}
			ok, err := r.send(ctx, e, m, due, now)
			if err != nil {
				return sent, fmt.Errorf("reminder %s for entitlement %s: %w", m, e.ID, err)
			}
			if ok {
				sent++
			}
		}
	}
	return sent, nil
}

func (r *Reminders) send(ctx context.Context, e Entitlement, m Milestone, due, now time.Time) (bool, error) {
	recipients, err := r.users.FindUsersByOrganization(ctx, e.OrganizationID, accounts.OrgAdmin)
	if err != nil {
		return false, err
	}
	if len(recipients) == 0 {
		// Nobody at the customer can act: tell the account's TSAM, if it has one.
		org, err := r.users.FindOrganizationByID(ctx, e.OrganizationID)
		if err != nil {
			return false, err
		}
		if org.TSAMID != nil {
			recipients = []accounts.User{{ID: *org.TSAMID}}
		}
	}
	subject, body := reminderText(e, m, now)
	ids := make([]uuid.UUID, len(recipients))
	for i, u := range recipients {
		ids[i] = u.ID
	}
	row := reminderRow{EntitlementID: e.ID, Milestone: string(m), PeriodEnds: e.EndsAt, DueAt: due, SentAt: now, Recipients: len(recipients)}
	claimed, err := r.store.claimReminder(ctx, row, func(tx dbx.Tx) error {
		_, err := r.notifier.RemindRenewal(ctx, tx, Reminder{Recipients: ids, OrganizationID: e.OrganizationID,
			Subject: subject, Body: body, DedupKey: fmt.Sprintf("renewal:%s:%s:%d", e.ID, m, e.EndsAt.UnixMicro()),
			Data: map[string]any{"entitlement_id": e.ID, "organization_id": e.OrganizationID, "milestone": m, "product": e.Product,
				"ends_at": e.EndsAt, "grace_ends_at": e.GraceEndsAt(), "renewal": NewRenewalView(e.Renewal(now))}})
		return err
	})
	if err != nil {
		return false, err
	}
	if claimed {
		r.log.Info("renewal reminder sent", "entitlement_id", e.ID, "milestone", m, "recipients", len(recipients))
	}
	return claimed, nil
}

func reminderText(e Entitlement, m Milestone, now time.Time) (subject, body string) {
	end := e.EndsAt.Format("2006-01-02")
	switch m {
	case MilestoneGraceEnd:
		subject = fmt.Sprintf("Grace period for %s has ended", e.Product)
		body = fmt.Sprintf("The grace period of your %s contract (serial %s) ended on %s. ", e.Product, e.SerialNumber, e.GraceEndsAt().Format("2006-01-02"))
	case Milestone0d:
		subject = fmt.Sprintf("Your %s contract ends today", e.Product)
		body = fmt.Sprintf("Your %s contract (serial %s) ends on %s. ", e.Product, e.SerialNumber, end)
	default:
		subject = fmt.Sprintf("Your %s contract ends in %d days", e.Product, daysBefore[m])
		body = fmt.Sprintf("Your %s contract (serial %s) ends on %s. ", e.Product, e.SerialNumber, end)
	}
	f := e.Renewal(now)
	switch {
	case f.NewPurchaseRequired:
		body += "It can no longer be renewed; a new purchase is needed."
	case !f.RenewableUntil.IsZero():
		body += fmt.Sprintf("Renew before %s to keep support.", f.RenewableUntil.Format("2006-01-02"))
	default:
		body += "Renew to keep support."
	}
	if f.ReinstatementFee {
		body += " A reinstatement fee applies to late renewal."
	}
	return subject, body
}

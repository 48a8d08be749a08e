package escalation

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla/entitlement"
)

// RemindRenewal tells a contract's renewal reminder to its recipients, in the transaction that
// claims it (entitlement.Notifier). Errors: as Notify.
func (o *Outbox) RemindRenewal(ctx context.Context, tx dbx.Tx, r entitlement.Reminder) ([]uuid.UUID, error) {
	org := r.OrganizationID
	return o.Notify(ctx, tx, Note{Kind: KindRenewalReminder, Recipients: r.Recipients, OrganizationID: &org,
		Subject: r.Subject, Body: r.Body, Data: r.Data, DedupKey: r.DedupKey})
}

package inbound

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

// Incidents is what processing asks of tickets. *tickets.Service implements it.
type Incidents interface {
	Open(ctx context.Context, actor accounts.User, in tickets.NewIncident, key string) (tickets.Incident, bool, error)
	Get(ctx context.Context, actor accounts.User, id uuid.UUID) (tickets.Incident, error)
	MailReply(ctx context.Context, actor accounts.User, id uuid.UUID, body, key string, attachments int, reopenWithin time.Duration) (tickets.Incident, tickets.MailReplyOutcome, error)
	LinkFollowUp(ctx context.Context, actor accounts.User, prev uuid.UUID, followUp tickets.Incident) error
	Participant(ctx context.Context, id, userID uuid.UUID) (bool, error)
	FindIncidentIDByReference(ctx context.Context, ref string) (uuid.UUID, error)
	KeepMailLead(ctx context.Context, l entitlement.MailLead) error
}

// Users finds the sender and the admins to tell. *accounts.Store implements it.
type Users interface {
	FindUserByEmail(ctx context.Context, email string) (accounts.User, error)
	FindStaff(ctx context.Context, office string, roles ...accounts.Role) ([]accounts.User, error)
}

// Notifier tells admins of a failing mailbox. *escalation.Outbox implements it.
type Notifier interface {
	Notify(ctx context.Context, tx dbx.Tx, notes ...escalation.Note) ([]uuid.UUID, error)
}

// Sender sends the automatic answers. *escalation.Mailer implements it; nil sends nothing.
type Sender interface {
	SendMessage(ctx context.Context, rcpts []string, msg []byte) error
}

// Enqueuer hands a stored message to the processing task (workers.MailQueue). Without one,
// the sweeper finds the message.
type Enqueuer interface {
	EnqueueProcessing(ctx context.Context, id uuid.UUID) error
}

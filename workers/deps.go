package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/metrics"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
)

// Deps are what the handlers use; Clock and Log are required (Run refuses to start without
// them). The workers write no SQL of their own: what they need of a table they ask its owner,
// through the interfaces below.
type Deps struct {
	Clock     clock.Clock
	Log       *slog.Logger
	Reminders *entitlement.Reminders
	Incidents *tickets.Service
	// Timers are the timer rows: the firer claims deliveries, the reconciler finds the timers
	// that never reached Redis (nil: no reconciler).
	Timers TimerStore
	// Keys forgets expired Idempotency-Keys (the hourly purge).
	Keys  IdempotencyKeys
	Queue *TimerQueue
	// Deliveries handles the notification tasks (nil: none registered, no sweep).
	Deliveries *DeliveryHandlers
	// Mail, when set, runs the e-mail channel: the processing task and its sweep, the IMAP
	// reader and (Config.Mail.LMTPAddr) the LMTP listener. MailQueue enqueues its tasks.
	Mail      *inbound.Service
	MailQueue *MailQueue
	// Metrics counts what the workers decide (nil: nothing counted).
	Metrics *metrics.Set
}

// TimerStore is what the workers ask of the timer rows. *tickets.Store implements it.
type TimerStore interface {
	// ClaimTimers records the first delivery attempt of each timer; see tickets.Store.
	ClaimTimers(ctx context.Context, ids []uuid.UUID, now time.Time) (map[uuid.UUID]bool, error)
	MarkEnqueued(ctx context.Context, ids []uuid.UUID, now time.Time) error
	UnmarkEnqueued(ctx context.Context, ids []uuid.UUID) error
	ForgetEnqueued(ctx context.Context) (int64, error)
	UnenqueuedTimers(ctx context.Context, limit int) ([]tickets.Timer, error)
	OverdueTimers(ctx context.Context, cutoff time.Time, limit int) ([]tickets.Timer, error)
}

// IdempotencyKeys forgets the Idempotency-Keys stored before a time. *tickets.Store implements it.
type IdempotencyKeys interface {
	PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
}

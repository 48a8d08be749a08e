package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/clock"
)

// Notification delivery tasks. The outbox rows in PostgreSQL are the truth: a deliver task is
// only a prompt to send one row now, and the periodic sweep sends whatever no prompt reached.
const (
	TypeNotifyDeliver = "notify:deliver"
	TypeNotifySweep   = "notify:sweep"
)

// NotifySweepLimit is how many due notifications one sweep takes on.
const NotifySweepLimit = 500

// NewDeliverTask returns the fast-path task for one e-mail or webhook notification. The payload
// is the ID only: the handler reads everything else from the row.
func NewDeliverTask(id uuid.UUID) *asynq.Task {
	// A failed send is recorded and retried by the sweep on the outbox's own backoff, so asynq
	// retries only errors before the send (the database); the timeout covers one send and its
	// records.
	return asynq.NewTask(TypeNotifyDeliver, []byte(id.String()), asynq.Queue(QueueDefault), asynq.MaxRetry(3),
		asynq.Timeout(time.Minute))
}

// NewSweepTask returns the periodic sweep task.
func NewSweepTask() *asynq.Task {
	// A failed sweep is not retried: the next one is due within the interval anyway.
	return asynq.NewTask(TypeNotifySweep, nil, asynq.Queue(QueueDefault), asynq.MaxRetry(0), asynq.Timeout(2*time.Minute))
}

// EnqueueDeliveries asks for the prompt delivery of the notifications that
// escalation.Outbox.Notify returned, after the producer's transaction has committed. It is
// best effort: whatever fails to enqueue is sent by the next sweep, so callers log the error
// and carry on.
// Errors: the enqueue errors, joined.
func EnqueueDeliveries(ctx context.Context, c *asynq.Client, ids []uuid.UUID) error {
	var errs []error
	for _, id := range ids {
		if _, err := c.EnqueueContext(ctx, NewDeliverTask(id)); err != nil {
			errs = append(errs, fmt.Errorf("enqueue delivery of %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

// DeliveryHandlers handle the notification tasks: they send the outbox's e-mail and webhook
// rows, one on each prompt and the rest on the periodic sweep.
type DeliveryHandlers struct {
	deliverer *escalation.Deliverer
	clock     clock.Clock
	log       *slog.Logger
}

// NewDeliveryHandlers returns the handlers over d. It panics when c or log is nil: both are
// injected by the composition root, never defaulted here.
func NewDeliveryHandlers(d *escalation.Deliverer, c clock.Clock, log *slog.Logger) *DeliveryHandlers {
	if c == nil {
		panic("workers.NewDeliveryHandlers: clock is required")
	}
	if log == nil {
		panic("workers.NewDeliveryHandlers: log is required")
	}
	return &DeliveryHandlers{deliverer: d, clock: c, log: log}
}

// Register adds the handlers to mux.
func (n *DeliveryHandlers) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeNotifyDeliver, n.HandleDeliver)
	mux.HandleFunc(TypeNotifySweep, n.HandleSweep)
}

// HandleDeliver sends one notification. A payload that is not an ID can never succeed and is
// not retried; a failed send is recorded on the row and left to the sweep, so the task
// succeeds; only a storage error fails it, for asynq to retry.
func (n *DeliveryHandlers) HandleDeliver(ctx context.Context, t *asynq.Task) error {
	id, err := uuid.ParseBytes(t.Payload())
	if err != nil {
		return fmt.Errorf("notify:deliver payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	err = n.deliverer.Deliver(ctx, id)
	if errors.Is(err, escalation.ErrNotDelivered) {
		return nil // logged by the deliverer, retried by the sweep
	}
	return err
}

// HandleSweep sends the notifications due at the clock's now.
func (n *DeliveryHandlers) HandleSweep(ctx context.Context, _ *asynq.Task) error {
	sent, err := n.deliverer.Sweep(ctx, n.clock.Now(), NotifySweepLimit)
	if sent > 0 {
		n.log.Info("notifications delivered by sweep", "count", sent)
	}
	return err
}

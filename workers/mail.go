package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/supportd/supportd/tickets/inbound"
)

// Mail tasks. PostgreSQL holds every message (stored before processing); a process task is only
// the prompt to process one now, and the sweep re-enqueues what no prompt reached.
const (
	TypeMailProcess = "mail:process"
	TypeMailSweep   = "mail:sweep"
)

// NewMailProcessTask returns the task processing one stored message. Its TaskID names the
// message, so a message is queued at most once at a time.
func NewMailProcessTask(id uuid.UUID) *asynq.Task {
	return asynq.NewTask(TypeMailProcess, []byte(id.String()), asynq.Queue(QueueDefault), asynq.MaxRetry(10),
		asynq.Timeout(2*time.Minute), asynq.TaskID(TypeMailProcess+":"+id.String()))
}

// NewMailSweepTask returns the periodic sweep of stored-but-unprocessed messages.
func NewMailSweepTask() *asynq.Task {
	return asynq.NewTask(TypeMailSweep, nil, asynq.Queue(QueueDefault), asynq.MaxRetry(0), asynq.Timeout(time.Minute))
}

// MailQueue enqueues processing tasks; it is the inbound.Enqueuer of the API and worker
// processes.
type MailQueue struct {
	client *asynq.Client
}

// NewMailQueue returns a queue on Redis; Close it when done.
func NewMailQueue(redis asynq.RedisConnOpt) *MailQueue {
	return &MailQueue{client: asynq.NewClient(redis)}
}

// Close releases the Redis connection.
func (q *MailQueue) Close() error { return q.client.Close() }

// EnqueueProcessing queues the message's processing; one already queued counts as queued.
// Errors: Redis errors.
func (q *MailQueue) EnqueueProcessing(ctx context.Context, id uuid.UUID) error {
	_, err := q.client.EnqueueContext(ctx, NewMailProcessTask(id))
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	return err
}

type mailHandlers struct {
	mail  *inbound.Service
	queue *MailQueue
	// age: a message stored this long ago and still unprocessed lost its task (Redis lost its
	// data, or the enqueue failed) — or its run died; the sweep queues it again.
	age time.Duration
}

// HandleMailProcess processes one stored message; a message held by another run is retried.
func (h *mailHandlers) HandleMailProcess(ctx context.Context, t *asynq.Task) error {
	id, err := uuid.ParseBytes(t.Payload())
	if err != nil {
		return fmt.Errorf("%w: bad payload %q", asynq.SkipRetry, t.Payload())
	}
	return h.mail.Process(ctx, id)
}

// HandleMailSweep queues every stored message no run holds.
func (h *mailHandlers) HandleMailSweep(ctx context.Context, _ *asynq.Task) error {
	ids, err := h.mail.Unprocessed(ctx, h.age, 500)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		errs = append(errs, h.queue.EnqueueProcessing(ctx, id))
	}
	return errors.Join(errs...)
}

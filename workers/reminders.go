package workers

import (
	"context"

	"github.com/hibiken/asynq"
)

// TypeRenewalReminders sends every renewal reminder that is due. It runs periodically on every
// worker's scheduler; the reminders' unique keys in PostgreSQL make concurrent runs harmless.
const TypeRenewalReminders = "entitlement:renewal-reminders"

// NewRenewalRemindersTask returns the periodic reminder task.
func NewRenewalRemindersTask() *asynq.Task {
	return asynq.NewTask(TypeRenewalReminders, nil, asynq.MaxRetry(3))
}

// HandleRenewalReminders sends the reminders due at the clock's now.
func (h *handlers) HandleRenewalReminders(ctx context.Context, _ *asynq.Task) error {
	n, err := h.deps.Reminders.SendDue(ctx, h.deps.Clock.Now())
	h.deps.Metrics.RemindersSent(n) // those sent before an error count too
	if err != nil {
		return err
	}
	if n > 0 {
		h.deps.Log.Info("renewal reminders sent", "count", n)
	}
	return nil
}

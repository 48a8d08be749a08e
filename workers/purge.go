package workers

import (
	"context"

	"github.com/hibiken/asynq"
)

// TypePurgeIdempotencyKeys forgets Idempotency-Keys older than the TTL, so the table stays small.
const TypePurgeIdempotencyKeys = "maintenance:purge-idempotency-keys"

// NewPurgeIdempotencyKeysTask returns the periodic purge task.
func NewPurgeIdempotencyKeysTask() *asynq.Task {
	return asynq.NewTask(TypePurgeIdempotencyKeys, nil, asynq.MaxRetry(3))
}

// HandlePurgeIdempotencyKeys deletes the expired keys. Deleting is idempotent, so a duplicate
// delivery is harmless.
func (h *handlers) HandlePurgeIdempotencyKeys(ctx context.Context, _ *asynq.Task) error {
	cutoff := h.deps.Clock.Now().Add(-h.cfg.IdempotencyTTL)
	n, err := h.deps.Keys.PurgeIdempotencyKeys(ctx, cutoff)
	if err != nil {
		return err
	}
	h.deps.Log.Info("idempotency keys purged", "count", n, "before", cutoff)
	return nil
}

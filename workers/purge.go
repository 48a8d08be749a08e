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
	res := h.deps.DB.WithContext(ctx).Exec("DELETE FROM idempotency_keys WHERE created_at < ?", cutoff)
	if res.Error != nil {
		return res.Error
	}
	h.deps.Log.Info("idempotency keys purged", "count", res.RowsAffected, "before", cutoff)
	return nil
}

package escalation

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Sweep delivers up to limit pending notifications due at now: fast-path tasks that were lost,
// rows the fast path left to it, and retries whose backoff has passed. It returns how many it
// delivered.
//
// Rows are grouped by destination (at most limit/4 rows each, so one backlog cannot fill the
// sweep). Each destination's rows are sent one after another, and up to DeliveryConfig.Workers
// destinations at once. A destination that fails is left alone for the rest of the sweep (its
// other rows keep their turn, uncounted), and one is left after about a Timeout of work, so a
// dead or slow endpoint costs one worker at most two Timeouts per sweep and never holds up the
// others' rows.
// Errors: storage errors (the sweep goes on with the other rows and returns them joined).
// Failed sends are not errors: they are recorded on their rows.
func (d *Deliverer) Sweep(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 500
	}
	due, err := d.store.findDue(ctx, now, limit, max(limit/4, 1))
	if err != nil {
		return 0, err
	}
	var order []string
	groups := map[string][]uuid.UUID{}
	for _, r := range due {
		dest := destination(r.Channel, r.WebhookID)
		if _, ok := groups[dest]; !ok {
			order = append(order, dest)
		}
		groups[dest] = append(groups[dest], r.ID)
	}

	var (
		delivered atomic.Int64
		mu        sync.Mutex
		errs      []error
		wg        sync.WaitGroup
		slots     = make(chan struct{}, d.cfg.Workers)
	)
	for _, dest := range order {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return int(delivered.Load()), ctx.Err()
		}
		wg.Add(1)
		go func(ids []uuid.UUID) {
			defer func() { <-slots; wg.Done() }()
			// Elapsed work, not domain time: the wall clock's monotonic reading, not d.clock.
			started := time.Now()
			for _, id := range ids {
				if ctx.Err() != nil || time.Since(started) > d.cfg.Timeout {
					return
				}
				ok, err := d.attempt(ctx, id, now)
				if ok {
					delivered.Add(1)
				}
				var perm permanentError
				if errors.Is(err, ErrNotDelivered) {
					if errors.As(err, &perm) {
						continue // this row's fault, not the destination's
					}
					return
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		}(groups[dest])
	}
	wg.Wait()
	return int(delivered.Load()), errors.Join(errs...)
}

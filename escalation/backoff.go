package escalation

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Retry backoff: 10 s after the first failed attempt, doubling, at most an hour apart.
const (
	retryBase = 10 * time.Second
	retryCap  = time.Hour
)

// retryDelay is the wait after the attempt-th failed attempt (1-based), scaled by j in
// [0.8, 1.2): the spread keeps notifications that failed together (an endpoint's outage) from
// all retrying in the same instant when it comes back.
func retryDelay(attempt int, j float64) time.Duration {
	d := retryBase
	for i := 1; i < attempt && d < retryCap; i++ {
		d *= 2
	}
	d = min(d, retryCap)
	return time.Duration(float64(d) * j)
}

func jitter() float64 { return 0.8 + 0.4*rand.Float64() }

// breaker remembers, per destination, that a send failed recently. The fast path skips such a
// destination and leaves its rows to the sweep, which probes it one row at a time.
type breaker struct {
	mu       sync.Mutex
	cooldown time.Duration
	until    map[string]time.Time
}

func newBreaker(cooldown time.Duration) *breaker {
	return &breaker{cooldown: cooldown, until: map[string]time.Time{}}
}

func (b *breaker) open(dest string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.until[dest]
	if ok && !now.Before(u) {
		delete(b.until, dest)
		return false
	}
	return ok
}

func (b *breaker) trip(dest string, now time.Time) {
	b.mu.Lock()
	b.until[dest] = now.Add(b.cooldown)
	b.mu.Unlock()
}

func (b *breaker) reset(dest string) {
	b.mu.Lock()
	delete(b.until, dest)
	b.mu.Unlock()
}

package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/supportd/supportd/internal/localsvc"
)

// leaseTTL is how long a lease outlives a process that died on another host; the holder renews it
// well before then.
const leaseTTL = time.Hour

var errAllLeased = errors.New("all Redis databases are leased")

// leaser hands out Redis database numbers 1..max exclusively among processes, through keys
// prefix+N on the server whose value names the holder: "<host> <pid> <random>".
type leaser struct {
	rdb    *redis.Client
	prefix string
	max    int
	token  string
	skip   map[int]int64 // numbers not to lease (databases holding somebody else's keys)
}

func newLeaser(rdb *redis.Client, prefix string, max int) *leaser {
	return &leaser{rdb: rdb, prefix: prefix, max: max, token: fmt.Sprintf("%s %d %s", hostname(), os.Getpid(), randomHex(8))}
}

// Compare-and-act scripts, so that a process only ever renews or removes a lease it holds.
var (
	delIfEqual    = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)
	expireIfEqual = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)
)

// acquire leases a free number, waiting for one until ctx ends, when it returns errAllLeased.
func (l *leaser) acquire(ctx context.Context) (int, error) {
	for {
		n, err := l.tryAcquire(ctx)
		if err != nil || n > 0 {
			return n, err
		}
		select {
		case <-ctx.Done():
			return 0, errAllLeased
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// tryAcquire leases a free number, taking over leases whose holder died on this host; it returns
// 0 if every number is held.
func (l *leaser) tryAcquire(ctx context.Context) (int, error) {
	for n := 1; n <= l.max; n++ {
		if _, skip := l.skip[n]; skip {
			continue
		}
		key := l.prefix + strconv.Itoa(n)
		ok, err := l.rdb.SetNX(ctx, key, l.token, leaseTTL).Result()
		if err != nil {
			return 0, err
		}
		if ok {
			return n, nil
		}
		holder, err := l.rdb.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			n-- // released meanwhile: try it again
			continue
		}
		if err != nil {
			return 0, err
		}
		if !heldByDeadLocalProcess(holder) {
			continue
		}
		// Remove that holder's lease only, then race for it like anyone else.
		if err := delIfEqual.Run(ctx, l.rdb, []string{key}, holder).Err(); err != nil {
			return 0, err
		}
		n--
	}
	return 0, nil
}

func heldByDeadLocalProcess(holder string) bool {
	f := strings.Fields(holder)
	if len(f) != 3 || f[0] != hostname() {
		return false
	}
	pid, err := strconv.Atoi(f[1])
	return err == nil && !localsvc.ProcessAlive(pid)
}

// renew extends the lease on n, if this leaser still holds it.
func (l *leaser) renew(ctx context.Context, n int) error {
	return expireIfEqual.Run(ctx, l.rdb, []string{l.prefix + strconv.Itoa(n)}, l.token, leaseTTL.Milliseconds()).Err()
}

// release gives n back, if this leaser still holds it.
func (l *leaser) release(ctx context.Context, n int) error {
	return delIfEqual.Run(ctx, l.rdb, []string{l.prefix + strconv.Itoa(n)}, l.token).Err()
}

// keepRenewing renews the lease on n until stop is closed, for test runs longer than leaseTTL.
func (l *leaser) keepRenewing(n int, stop <-chan struct{}) {
	t := time.NewTicker(leaseTTL / 4)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = l.renew(ctx, n) // a missed renewal is retried at the next tick
			cancel()
		}
	}
}

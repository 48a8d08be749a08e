package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/supportd/supportd/internal/localsvc"
)

const (
	defaultRedisAddr = "127.0.0.1:6379"
	leasePrefix      = "testenv:lease:"
	leasableDBs      = 15 // databases 1..15 of Redis's default 16
	// leaseWait is how long to wait for a free database on a shared server before starting a
	// private one; more packages than databases only run at once on machines with many cores.
	leaseWait = 30 * time.Second
)

// RedisConfig says how to reach this package's Redis.
type RedisConfig struct {
	// Addr is host:port.
	Addr string
	// Password is empty unless TEST_REDIS_URL carries one.
	Password string
	// DB is the database number, leased to this process alone.
	DB int
	// URL holds all of the above, as redis.ParseURL and asynq.ParseRedisURI read it.
	URL string
}

// Redis returns this package's Redis database, flushed on first use and shared by all tests of
// the process; Main releases it. Tests that flush all databases or restart the server use
// PrivateRedis instead.
func Redis(tb testing.TB) RedisConfig {
	tb.Helper()
	requireMain(tb)
	c, err := packageRedis()
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return c
}

var packageRedis = sync.OnceValues(func() (RedisConfig, error) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if !forcePrivate() {
		if s := os.Getenv("TEST_REDIS_URL"); s != "" {
			opts, err := redis.ParseURL(s)
			if err != nil {
				return RedisConfig{}, fmt.Errorf("TEST_REDIS_URL: %w", err)
			}
			return leaseSharedRedis(ctx, opts)
		}
		if localsvc.RedisAvailable(defaultRedisAddr) {
			return leaseSharedRedis(ctx, &redis.Options{Addr: defaultRedisAddr})
		}
	}
	return startPrivateRedis(ctx)
})

// leaseSharedRedis leases a database on a shared server and flushes it, or starts a private
// server if none comes free within leaseWait.
func leaseSharedRedis(ctx context.Context, opts *redis.Options) (RedisConfig, error) {
	admin := *opts
	admin.DB = 0
	rdb := redis.NewClient(&admin)
	l := newLeaser(rdb, leasePrefix, leasableDBs)
	waitCtx, cancel := context.WithTimeout(ctx, leaseWait)
	n, err := l.acquire(waitCtx)
	cancel()
	if errors.Is(err, errAllLeased) {
		rdb.Close()
		return startPrivateRedis(ctx)
	}
	if err != nil {
		rdb.Close()
		return RedisConfig{}, fmt.Errorf("lease a Redis database on %s: %w", opts.Addr, err)
	}
	stop := make(chan struct{})
	go l.keepRenewing(n, stop)
	onExit(func() error {
		close(stop)
		defer rdb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return l.release(ctx, n)
	})

	mine := *opts
	mine.DB = n
	c := redis.NewClient(&mine)
	defer c.Close()
	if err := c.FlushDB(ctx).Err(); err != nil {
		return RedisConfig{}, fmt.Errorf("flush Redis database %d on %s: %w", n, opts.Addr, err)
	}
	return newRedisConfig(&mine), nil
}

func startPrivateRedis(ctx context.Context) (RedisConfig, error) {
	dir, err := scratch()
	if err != nil {
		return RedisConfig{}, err
	}
	log, err := os.Create(filepath.Join(dir, "redis.log"))
	if err != nil {
		return RedisConfig{}, err
	}
	r, err := localsvc.StartRedis(ctx, filepath.Join(dir, "redis"), log)
	if err != nil {
		log.Close()
		return RedisConfig{}, fmt.Errorf("no Redis at TEST_REDIS_URL or %s, and starting one failed: %w", defaultRedisAddr, err)
	}
	onExit(func() error {
		defer log.Close()
		return r.Stop()
	})
	return newRedisConfig(&redis.Options{Addr: r.Addr}), nil
}

func newRedisConfig(o *redis.Options) RedisConfig {
	u := url.URL{Scheme: "redis", Host: o.Addr, Path: "/" + strconv.Itoa(o.DB)}
	if o.TLSConfig != nil {
		u.Scheme = "rediss"
	}
	switch {
	case o.Username != "":
		u.User = url.UserPassword(o.Username, o.Password)
	case o.Password != "":
		u.User = url.UserPassword("", o.Password)
	}
	return RedisConfig{Addr: o.Addr, Password: o.Password, DB: o.DB, URL: u.String()}
}

package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/supportd/supportd/internal/localsvc"
)

const (
	leasePrefix = "testenv:lease:"
	leasableDBs = 15 // databases 1..15 of Redis's default 16
	// ownerKey marks a database of a shared server as testenv's: it is written into an empty
	// database when leased, and only a database holding it may be flushed. A database with keys
	// and no ownerKey is somebody else's and is never touched.
	ownerKey = "testenv:owner"
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

// Redis returns this package's Redis database, empty on first use and shared by all tests of the
// process; Main releases it. By default it is database 0 of a private server this process
// started; with TEST_REDIS_URL, a database of that server leased to this process (see the package
// documentation). Tests that flush all databases or restart the server use PrivateRedis instead.
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
	}
	return startPrivateRedis(ctx)
})

// leaseSharedRedis leases a database of the shared server TEST_REDIS_URL names, one that is empty
// or marked as testenv's, or starts a private server if none comes free within leaseWait. It
// refuses, with the numbers of the databases it found, when every database holds keys testenv did
// not write.
func leaseSharedRedis(ctx context.Context, opts *redis.Options) (RedisConfig, error) {
	admin := *opts
	admin.DB = 0
	rdb := redis.NewClient(&admin)
	l := newLeaser(rdb, leasePrefix, leasableDBs)
	n, err := leaseOwnDB(ctx, l, opts, leaseWait)
	if errors.Is(err, errAllLeased) {
		rdb.Close()
		return startPrivateRedis(ctx)
	}
	if err != nil {
		rdb.Close()
		return RedisConfig{}, err
	}
	stop := make(chan struct{})
	go l.keepRenewing(n, stop)
	mine := *opts
	mine.DB = n
	onExit(func() error {
		close(stop)
		defer rdb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return errors.Join(clearOwnDB(ctx, &mine), l.release(ctx, n))
	})
	return newRedisConfig(&mine), nil
}

// leaseOwnDB leases a database number of opts' server and claims the database: an empty one is
// marked with ownerKey, a marked one (a crashed run's) is flushed and marked again. A database
// holding keys without the mark is left alone and the next number tried. It returns
// errAllLeased when the usable databases stay leased by others for wait, and a *ForeignDataError
// when no database is usable at all.
func leaseOwnDB(ctx context.Context, l *leaser, opts *redis.Options, wait time.Duration) (int, error) {
	foreign := map[int]int64{}
	waitCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		l.skip = foreign
		n, err := l.acquire(waitCtx)
		if errors.Is(err, errAllLeased) && len(foreign) == l.max {
			return 0, &ForeignDataError{Addr: opts.Addr, Keys: foreign}
		}
		if err != nil {
			return 0, err
		}
		mine := *opts
		mine.DB = n
		keys, err := claimDB(ctx, &mine, l.token)
		if err != nil {
			_ = l.release(context.Background(), n)
			return 0, fmt.Errorf("claim Redis database %d on %s: %w", n, opts.Addr, err)
		}
		if keys == 0 {
			return n, nil
		}
		foreign[n] = keys
		if err := l.release(ctx, n); err != nil {
			return 0, err
		}
		if len(foreign) == l.max {
			return 0, &ForeignDataError{Addr: opts.Addr, Keys: foreign}
		}
	}
}

// claimOrMark marks an empty database as testenv's, or flushes one already marked; it answers
// the number of keys of a database that is somebody else's (0 once claimed). One script, so that
// no write slips in between the look and the flush.
var claimOrMark = redis.NewScript(`
local n = redis.call("DBSIZE")
if n > 0 and redis.call("EXISTS", KEYS[1]) == 0 then return n end
if n > 0 then redis.call("FLUSHDB") end
redis.call("SET", KEYS[1], ARGV[1])
return 0`)

func claimDB(ctx context.Context, opts *redis.Options, token string) (int64, error) {
	c := redis.NewClient(opts)
	defer c.Close()
	return claimOrMark.Run(ctx, c, []string{ownerKey}, token).Int64()
}

// clearOwnDB empties a database this process claimed, if it still carries the mark, so a shared
// server is left as it was found.
func clearOwnDB(ctx context.Context, opts *redis.Options) error {
	c := redis.NewClient(opts)
	defer c.Close()
	return flushIfMarked.Run(ctx, c, []string{ownerKey}).Err()
}

var flushIfMarked = redis.NewScript(`if redis.call("EXISTS", KEYS[1]) == 1 then return redis.call("FLUSHDB") end return 0`)

// ForeignDataError is the refusal to use a shared Redis server whose every leasable database
// holds keys testenv did not write.
type ForeignDataError struct {
	Addr string
	Keys map[int]int64 // database number → keys found
}

func (e *ForeignDataError) Error() string {
	dbs := make([]int, 0, len(e.Keys))
	for n := range e.Keys {
		dbs = append(dbs, n)
	}
	sort.Ints(dbs)
	return fmt.Sprintf("refusing Redis at %s: databases %v hold keys that testenv did not write (no %q key), "+
		"and tests never flush data they did not create; empty one of databases 1-%d there, or unset TEST_REDIS_URL "+
		"to let the tests start their own server", e.Addr, dbs, ownerKey, leasableDBs)
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
		return RedisConfig{}, fmt.Errorf("starting a private Redis failed (install redis-server, or name a server in TEST_REDIS_URL): %w", err)
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

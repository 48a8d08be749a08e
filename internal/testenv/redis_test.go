package testenv

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestRedisIsLeasedAndEmpty(t *testing.T) {
	c := Redis(t)
	if again := Redis(t); again != c {
		t.Errorf("second call gave %+v, first %+v", again, c)
	}
	opts, err := redis.ParseURL(c.URL)
	if err != nil || opts.Addr != c.Addr || opts.DB != c.DB {
		t.Fatalf("URL %q does not match %+v: %v", c.URL, c, err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) > 1 || (len(keys) == 1 && keys[0] != ownerKey) {
		t.Errorf("keys %v, %v; want an empty database (but for testenv's mark on a shared server)", keys, err)
	}
	if c.DB == 0 {
		return // a private server: nothing to lease
	}
	if c.DB > leasableDBs {
		t.Fatalf("DB %d out of range", c.DB)
	}
	admin := redis.NewClient(&redis.Options{Addr: c.Addr, Password: c.Password})
	defer admin.Close()
	holder, err := admin.Get(ctx, leasePrefix+strconv.Itoa(c.DB)).Result()
	if err != nil || !strings.HasPrefix(holder, hostname()+" "+strconv.Itoa(os.Getpid())+" ") {
		t.Errorf("lease on DB %d held by %q (%v), want this process", c.DB, holder, err)
	}
}

func TestLeaserIsExclusive(t *testing.T) {
	// The package's own Redis database holds this test's leases, away from the real ones.
	c := Redis(t)
	rdb := redis.NewClient(&redis.Options{Addr: c.Addr, Password: c.Password, DB: c.DB})
	defer rdb.Close()
	ctx := context.Background()
	prefix := "leasetest:" + randomHex(4) + ":"
	a, b := newLeaser(rdb, prefix, 2), newLeaser(rdb, prefix, 2)

	n1, err := a.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := b.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n1 == n2 {
		t.Fatalf("both leasers got %d", n1)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if n, err := newLeaser(rdb, prefix, 2).acquire(short); err != errAllLeased {
		t.Fatalf("third lease: %d, %v; want errAllLeased", n, err)
	}
	if err := b.release(ctx, n1); err != nil { // not b's: must stay a's
		t.Fatal(err)
	}
	if got, _ := rdb.Get(ctx, prefix+strconv.Itoa(n1)).Result(); got != a.token {
		t.Errorf("another leaser released a's lease")
	}
	if err := b.release(ctx, n2); err != nil {
		t.Fatal(err)
	}
	if n, err := newLeaser(rdb, prefix, 2).acquire(ctx); err != nil || n != n2 {
		t.Errorf("after release: %d, %v; want %d", n, err, n2)
	}

	// A lease held by a process that died on this host is taken over; one held on another host
	// is not.
	other := newLeaser(rdb, prefix+"dead:", 1)
	rdb.Set(ctx, other.prefix+"1", hostname()+" "+strconv.Itoa(deadPID(t))+" x", time.Minute)
	if n, err := other.acquire(ctx); err != nil || n != 1 {
		t.Errorf("dead holder's lease: %d, %v; want 1", n, err)
	}
	remote := newLeaser(rdb, prefix+"remote:", 1)
	rdb.Set(ctx, remote.prefix+"1", "elsewhere 1 x", time.Minute)
	if n, err := remote.tryAcquire(ctx); err != nil || n != 0 {
		t.Errorf("another host's lease: %d, %v; want none", n, err)
	}
	if err := a.renew(ctx, n1); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, prefix+strconv.Itoa(n1)).Val(); ttl < leaseTTL-time.Minute {
		t.Errorf("TTL after renew = %s", ttl)
	}
}

// TestSharedRedisRefusesForeignData: on a shared server a database holding keys testenv did not
// write is never flushed nor used; a database a crashed run left marked is; when every database
// holds someone else's keys, the answer is a refusal that names them.
func TestSharedRedisRefusesForeignData(t *testing.T) {
	srv := PrivateRedis(t) // stands for a developer's server named in TEST_REDIS_URL
	ctx := context.Background()
	db := func(n int) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: n})
		t.Cleanup(func() { c.Close() })
		return c
	}
	for n := 1; n <= leasableDBs; n++ {
		if err := db(n).Set(ctx, "developer:data", n, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	opts := &redis.Options{Addr: srv.Addr}
	admin := db(0)
	_, err := leaseOwnDB(ctx, newLeaser(admin, leasePrefix, leasableDBs), opts, time.Second)
	var refused *ForeignDataError
	if !errors.As(err, &refused) || len(refused.Keys) != leasableDBs || !strings.Contains(err.Error(), "refusing Redis at "+srv.Addr) {
		t.Fatalf("every database foreign: %v", err)
	}
	// A crashed run's database (marked, with leftovers) is taken and flushed; an empty one is
	// marked when taken; the others keep their keys.
	db(4).Del(ctx, "developer:data")
	db(4).Set(ctx, ownerKey, "a crashed run", 0)
	db(4).Set(ctx, "asynq:leftover", 1, 0)
	db(9).Del(ctx, "developer:data")
	first, second := newLeaser(admin, leasePrefix, leasableDBs), newLeaser(admin, leasePrefix, leasableDBs)
	n1, err := leaseOwnDB(ctx, first, opts, time.Second)
	if err != nil || n1 != 4 {
		t.Fatalf("first lease: %d, %v; want database 4", n1, err)
	}
	if keys := db(4).Keys(ctx, "*").Val(); len(keys) != 1 || keys[0] != ownerKey {
		t.Fatalf("database 4 after the claim: %v", keys)
	}
	n2, err := leaseOwnDB(ctx, second, opts, time.Second)
	if err != nil || n2 != 9 {
		t.Fatalf("second lease: %d, %v; want database 9", n2, err)
	}
	if got := db(9).Get(ctx, ownerKey).Val(); got != second.token {
		t.Fatalf("database 9 marked %q", got)
	}
	if err := clearOwnDB(ctx, &redis.Options{Addr: srv.Addr, DB: 9}); err != nil {
		t.Fatal(err)
	}
	if n := db(9).DBSize(ctx).Val(); n != 0 {
		t.Fatalf("database 9 holds %d keys after its release", n)
	}
	for n := 1; n <= leasableDBs; n++ {
		if n == 4 || n == 9 {
			continue
		}
		if v := db(n).Get(ctx, "developer:data").Val(); v != strconv.Itoa(n) {
			t.Fatalf("database %d: developer's key is %q", n, v)
		}
	}
	// clearOwnDB leaves an unmarked database alone.
	if err := clearOwnDB(ctx, &redis.Options{Addr: srv.Addr, DB: 1}); err != nil || db(1).DBSize(ctx).Val() != 1 {
		t.Fatalf("an unmarked database was flushed: %v", err)
	}
}

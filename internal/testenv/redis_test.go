package testenv

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestRedisIsLeasedAndFlushed(t *testing.T) {
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
	if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 0 {
		t.Errorf("DBSIZE = %d, %v; want a flushed database", n, err)
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

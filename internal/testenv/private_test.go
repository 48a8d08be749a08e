package testenv

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/supportd/supportd/internal/localsvc"
)

func TestPrivateRedisRestarts(t *testing.T) {
	r := PrivateRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	// The client reconnects on its own; the data went with the server.
	if n, err := rdb.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Errorf("after restart: EXISTS k = %d, %v", n, err)
	}
}

func TestPrivatePostgresIsMigratedAndRestarts(t *testing.T) {
	pg := PrivatePostgres(t)
	if !tableExists(t, pg.DSN, "goose_db_version") {
		t.Error("private PostgreSQL not migrated")
	}
	db := OpenDB(t, pg.DSN)
	if err := pg.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	// database/sql throws away the dead connection and opens a new one.
	var n int
	for range 2 {
		if err := db.Raw("SELECT count(*) FROM goose_db_version").Scan(&n).Error; err == nil {
			break
		}
	}
	if n == 0 {
		t.Error("no migrations recorded after restart")
	}
	if !localsvc.PostgresAvailable(pg.DSN) {
		t.Error("not available after restart")
	}
}

package scratch

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestClaimRedis: an empty database is marked and used; one holding keys no benchmark wrote is
// refused and left as it was; a marked one is reused and, when asked, emptied (mark kept).
func TestClaimRedis(t *testing.T) {
	srv := testenv.PrivateRedis(t)
	ctx := context.Background()
	empty := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 3})
	defer empty.Close()
	if err := ClaimRedis(ctx, empty, "timerbench", true); err != nil {
		t.Fatal(err)
	}
	if v := empty.Get(ctx, RedisMark).Val(); v != "timerbench" {
		t.Fatalf("mark %q", v)
	}
	empty.Set(ctx, "asynq:bench", 1, 0)
	if err := ClaimRedis(ctx, empty, "timerbench", false); err != nil || empty.DBSize(ctx).Val() != 2 {
		t.Fatalf("reuse without wipe: %v, %d keys", err, empty.DBSize(ctx).Val())
	}
	if err := ClaimRedis(ctx, empty, "timerbench", true); err != nil || empty.DBSize(ctx).Val() != 1 {
		t.Fatalf("reuse with wipe: %v, %d keys", err, empty.DBSize(ctx).Val())
	}

	mine := redis.NewClient(&redis.Options{Addr: srv.Addr, DB: 5})
	defer mine.Close()
	mine.Set(ctx, "session:42", "a developer's", 0)
	mine.Set(ctx, "cache:x", "y", 0)
	err := ClaimRedis(ctx, mine, "timerbench", true)
	var fe *ForeignError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "Redis database 5 at "+srv.Addr) || !strings.Contains(err.Error(), "2 keys") {
		t.Fatalf("foreign database: %v", err)
	}
	if mine.DBSize(ctx).Val() != 2 || mine.Exists(ctx, RedisMark).Val() != 0 {
		t.Fatal("a refused database was changed")
	}
}

// TestClaimPostgres: an empty database is marked before migrating; a marked one is accepted
// again; one holding tables no benchmark made (here: a migrated supportd database) is refused.
func TestClaimPostgres(t *testing.T) {
	ctx := context.Background()
	open := func(dsn string) *sql.DB {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	// FreshDatabase is migrated: it stands for a real deployment's database.
	prod := open(testenv.FreshDatabase(t))
	err := ClaimPostgres(ctx, prod, "claimbench")
	var fe *ForeignError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "tables") {
		t.Fatalf("a migrated database without the mark: %v", err)
	}
	var marked bool
	prod.QueryRow(`SELECT EXISTS (SELECT FROM pg_tables WHERE tablename = $1)`, Table).Scan(&marked)
	if marked {
		t.Fatal("a refused database was marked")
	}
	// An empty database: its tables dropped by this test, which made them.
	empty := open(testenv.FreshDatabase(t))
	if _, err := empty.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	if err := ClaimPostgres(ctx, empty, "claimbench"); err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Exec(`CREATE TABLE incidents (id int)`); err != nil { // what migrating adds
		t.Fatal(err)
	}
	if err := ClaimPostgres(ctx, empty, "timerbench"); err != nil {
		t.Fatalf("a marked database refused: %v", err)
	}
	// The maintenance database is refused however empty; nothing is written to it.
	u, err := url.Parse(testenv.FreshDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/postgres"
	if err := ClaimPostgres(ctx, open(u.String()), "claimbench"); !errors.As(err, &fe) || !strings.Contains(err.Error(), "maintenance") {
		t.Fatalf("the postgres database: %v", err)
	}
}

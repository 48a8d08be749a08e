package testenv

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

func TestPostgresIsMigratedAndOwn(t *testing.T) {
	dsn := Postgres(t)
	if again := Postgres(t); again != dsn {
		t.Errorf("second call gave %q, first %q", again, dsn)
	}
	name := dbName(t, dsn)
	if !strings.HasPrefix(name, "t_testenv_") || len(name) > 63 {
		t.Errorf("database name %q", name)
	}
	if !tableExists(t, dsn, "goose_db_version") {
		t.Error("migrations not applied: no goose_db_version")
	}
}

func TestDBTranslatesErrors(t *testing.T) {
	db := DB(t)
	if DB(t) != db {
		t.Error("DB opened twice in one process")
	}
	if err := db.Exec("CREATE TABLE dup_test (id int PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Exec("DROP TABLE dup_test") })
	db.Exec("INSERT INTO dup_test VALUES (1)")
	err := db.Exec("INSERT INTO dup_test VALUES (1)").Error
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Errorf("duplicate insert: %v, want gorm.ErrDuplicatedKey", err)
	}
}

func TestFreshDatabaseIsNewAndDropped(t *testing.T) {
	var fresh string
	t.Run("use", func(t *testing.T) {
		fresh = FreshDatabase(t)
		if dbName(t, fresh) == dbName(t, Postgres(t)) {
			t.Fatal("fresh database is the package's")
		}
		if !tableExists(t, fresh, "goose_db_version") {
			t.Error("fresh database not migrated")
		}
		db := OpenDB(t, fresh)
		if err := db.Exec("SELECT 1").Error; err != nil {
			t.Error(err)
		}
	})
	if databaseExists(t, dbName(t, fresh)) {
		t.Errorf("%s still exists after its test", dbName(t, fresh))
	}
}

func TestLeftoversAreDropped(t *testing.T) {
	srv, err := server()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	cases := []struct {
		m        marker
		dropped  bool
		whatItIs string
	}{
		{marker{Host: hostname(), PID: deadPID(t), Created: now}, true, "made here by a dead process"},
		{marker{Host: "elsewhere", PID: 1, Created: now}, false, "made recently on another host"},
		{marker{Host: "elsewhere", PID: 1, Created: now.Add(-2 * leftoverAge)}, true, "old"},
		{newMarker(), false, "ours"},
	}
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = newDatabaseName()
		if _, err := createDatabase(ctx, srv, names[i], c.m); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = dropDatabase(ctx, srv, names[i]) })
	}
	// Databases named like ours but without our mark are somebody else's, however old.
	conn, err := pgx.Connect(ctx, srv.admin.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	foreign := map[string]string{newDatabaseName(): "", newDatabaseName(): "a developer's notes"}
	for name, comment := range foreign {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = dropDatabase(ctx, srv, name) })
		if comment != "" {
			if _, err := conn.Exec(ctx, "COMMENT ON DATABASE "+pgx.Identifier{name}.Sanitize()+" IS "+quoteLiteral(comment)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := dropLeftovers(ctx, srv, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, comment := range foreign {
		if !databaseExists(t, name) {
			t.Errorf("unmarked database %s (comment %q) was dropped", name, comment)
		}
	}
	for i, c := range cases {
		if got := databaseExists(t, names[i]); got == c.dropped {
			t.Errorf("database %s: exists=%v, want dropped=%v", c.whatItIs, got, c.dropped)
		}
	}
}

func TestDatabaseNamesFit(t *testing.T) {
	a, b := newDatabaseName(), newDatabaseName()
	if a == b || len(a) > 63 || strings.ToLower(a) != a {
		t.Errorf("names %q and %q", a, b)
	}
}

func dbName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func tableExists(t *testing.T, dsn, table string) bool {
	t.Helper()
	var ok bool
	queryRow(t, dsn, "SELECT to_regclass($1) IS NOT NULL", []any{table}, &ok)
	return ok
}

// databaseExists looks name up on this package's server.
func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	var ok bool
	queryRow(t, Postgres(t), "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", []any{name}, &ok)
	return ok
}

func queryRow(t *testing.T, dsn, sql string, args []any, dest ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

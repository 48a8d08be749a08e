package testenv

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/supportd/supportd/internal/localsvc"
	"github.com/supportd/supportd/migrations"
)

// PrivateRedis starts a redis-server that only this test uses, for tests that flush all databases
// or restart the server; it is stopped when the test ends. The test is skipped if redis-server is
// not installed.
func PrivateRedis(tb testing.TB) *localsvc.Redis {
	tb.Helper()
	dir := tb.TempDir()
	log, err := os.Create(filepath.Join(dir, "redis.log"))
	if err != nil {
		tb.Fatal(err)
	}
	r, err := localsvc.StartRedis(context.Background(), filepath.Join(dir, "data"), log)
	if errors.Is(err, localsvc.ErrNotInstalled) {
		log.Close()
		tb.Skip(err)
	}
	if err != nil {
		log.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := r.Stop(); err != nil {
			tb.Error(err)
		}
		log.Close()
	})
	return r
}

// PrivatePostgres starts a PostgreSQL server that only this test uses, for tests that restart or
// stop it or read its log (PostgresLog); its DSN names a migrated database. It is stopped and its
// data removed when the test ends. The test is skipped if PostgreSQL is not installed.
func PrivatePostgres(tb testing.TB) *localsvc.Postgres {
	tb.Helper()
	// Not tb.TempDir: as root the server runs as the postgres user, who cannot enter it.
	dir, err := os.MkdirTemp("", "testenv-pg-")
	if err == nil {
		err = os.Chmod(dir, 0o711)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	log, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { log.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	pg, err := localsvc.StartPostgresWith(ctx, filepath.Join(dir, "data"), log, localsvc.PostgresOptions{NoSync: true})
	if errors.Is(err, localsvc.ErrNotInstalled) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			tb.Error(err)
		}
	})
	db, err := sql.Open("pgx", pg.DSN)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if err := migrations.Up(ctx, db, slog.New(slog.DiscardHandler)); err != nil {
		tb.Fatalf("testenv: migrate private PostgreSQL: %v", err)
	}
	return pg
}

// PostgresLog is the path of the server log of a PrivatePostgres, for tests that check what the
// server reported (deadlocks, terminated sessions).
func PostgresLog(pg *localsvc.Postgres) string {
	return filepath.Join(filepath.Dir(pg.Dir), "postgres.log")
}

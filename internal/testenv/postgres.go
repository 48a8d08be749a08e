package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver goose needs

	"github.com/supportd/supportd/internal/localsvc"
	"github.com/supportd/supportd/migrations"
)

const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupTimeout bounds starting a server or creating and migrating a database.
const setupTimeout = 2 * time.Minute

// pgServer is the PostgreSQL server this process creates its databases on.
type pgServer struct {
	admin  *url.URL // a database to issue CREATE and DROP DATABASE from
	shared bool     // other processes use it too, so it may hold their leftovers
}

// Postgres returns the DSN of this package's database: created and migrated on first use, shared
// by all tests of the process, dropped by Main. Tests that need it empty use FreshDatabase.
func Postgres(tb testing.TB) string {
	tb.Helper()
	requireMain(tb)
	dsn, err := packageDB()
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return dsn
}

// FreshDatabase returns the DSN of a newly created and migrated database that only this test
// uses, dropped when the test ends.
func FreshDatabase(tb testing.TB) string {
	tb.Helper()
	requireMain(tb)
	srv, err := server()
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name := newDatabaseName()
	dsn, err := createDatabase(ctx, srv, name, newMarker())
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(func() {
		if err := dropDatabase(context.Background(), srv, name); err != nil {
			tb.Errorf("testenv: %v", err)
		}
	})
	return dsn
}

var packageDB = sync.OnceValues(func() (string, error) {
	srv, err := server()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	name := newDatabaseName()
	dsn, err := createDatabase(ctx, srv, name, newMarker())
	if err != nil {
		return "", err
	}
	onExit(func() error { return dropDatabase(context.Background(), srv, name) })
	return dsn, nil
})

var server = sync.OnceValues(func() (*pgServer, error) {
	srv, err := findPostgres()
	if err != nil {
		return nil, err
	}
	if srv.shared {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		// Best effort: garbage left by crashed runs is no reason to fail this one.
		if err := dropLeftovers(ctx, srv, time.Now()); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: dropping leftover databases:", err)
		}
	}
	return srv, nil
})

func findPostgres() (*pgServer, error) {
	if !forcePrivate() {
		if s := os.Getenv("TEST_DATABASE_URL"); s != "" {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
				return nil, fmt.Errorf("TEST_DATABASE_URL must be a postgres:// URL, got %q", s)
			}
			return &pgServer{admin: u, shared: true}, nil
		}
		if localsvc.PostgresAvailable(defaultPostgresURL) {
			u, _ := url.Parse(defaultPostgresURL)
			return &pgServer{admin: u, shared: true}, nil
		}
	}
	dir, err := scratch()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	pg, err := localsvc.StartPostgresWith(ctx, filepath.Join(dir, "pg"), log, localsvc.PostgresOptions{NoSync: true})
	if err != nil {
		log.Close()
		return nil, fmt.Errorf("no PostgreSQL at TEST_DATABASE_URL or 127.0.0.1:5432, and starting one failed: %w", err)
	}
	onExit(func() error {
		defer log.Close()
		return pg.Stop()
	})
	u, _ := url.Parse(pg.DSN)
	return &pgServer{admin: u}, nil
}

// dsnFor is the server's URL with another database.
func (s *pgServer) dsnFor(name string) string {
	u := *s.admin
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// createDatabase creates the database name, marks it as this process's and migrates it. A
// database that fails to migrate is dropped again.
func createDatabase(ctx context.Context, srv *pgServer, name string, m marker) (string, error) {
	conn, err := pgx.Connect(ctx, srv.admin.String())
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", srv.admin.Redacted(), err)
	}
	defer conn.Close(context.Background())
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	dsn := srv.dsnFor(name)
	err = func() error {
		// COMMENT takes no parameters; the marker is JSON of our own making, quoted as a literal.
		if _, err := conn.Exec(ctx, "COMMENT ON DATABASE "+ident+" IS "+quoteLiteral(m.String())); err != nil {
			return err
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		return migrations.Up(ctx, db, slog.New(slog.DiscardHandler)) // the harness keeps no log of its own
	}()
	if err != nil {
		_ = dropDatabase(context.Background(), srv, name)
		return "", fmt.Errorf("prepare database %s: %w", name, err)
	}
	return dsn, nil
}

// dropDatabase drops name, disconnecting whoever is still connected (PostgreSQL 13 or later).
func dropDatabase(ctx context.Context, srv *pgServer, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, srv.admin.String())
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

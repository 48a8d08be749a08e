// Package migrations holds the versioned SQL schema of the engine and applies it.
//
// The files are embedded so that the binary migrates without the source tree. They are applied
// with goose (github.com/pressly/goose/v3): a maintained library that reads numbered up/down SQL
// files from an fs.FS, runs each in its own transaction and records versions in a table, which is
// exactly the "versioned SQL files, up and down" the design card asks for.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/pressly/goose/v3"
)

//go:embed *.sql
var files embed.FS

func provider(db *sql.DB) (*goose.Provider, error) {
	// Out of order: two branches may each add a migration; the one merged second may carry the
	// lower number, and a database that already ran the higher one must still get it.
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Up applies every migration that has not been applied yet and logs each one (at debug) to
// log, the process's logger. Errors: a nil log, or a migration that fails.
func Up(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	if log == nil {
		return errors.New("migrations.Up: log is required")
	}
	p, err := provider(db)
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		log.Debug("migration applied", "version", r.Source.Version, "path", r.Source.Path, "duration", r.Duration)
	}
	if err != nil {
		return fmt.Errorf("migrations up: %w", err)
	}
	return nil
}

// Down rolls back the most recent migration.
func Down(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("migrations down: %w", err)
	}
	return nil
}

// Status writes one line per migration: its version, file and whether it is applied.
func Status(ctx context.Context, db *sql.DB, w io.Writer) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("migrations status: %w", err)
	}
	for _, s := range st {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		fmt.Fprintf(w, "%5d  %-40s %s\n", s.Source.Version, s.Source.Path, applied)
	}
	return nil
}

// Package dbx opens the engine's PostgreSQL connection through GORM and translates driver errors
// into the engine's error kinds, so that stores do not each reinvent the mapping.
package dbx

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options tune the connection pool and carry the process's clock and logger (both required).
type Options struct {
	MaxOpenConns int
	Clock        clock.Clock
	Log          *slog.Logger
}

// Open connects to dsn and checks the connection. GORM's NowFunc reads the injected clock, so
// timestamps GORM writes agree with the times the domain computes. Errors: a nil opt.Clock or
// opt.Log (the composition root injects both; a default would bypass the tests' clock or the
// logger's settings), or a connection that cannot be opened or pinged.
func Open(ctx context.Context, dsn string, opt Options) (*gorm.DB, error) {
	if opt.Clock == nil {
		return nil, errors.New("dbx.Open: Options.Clock is required")
	}
	if opt.Log == nil {
		return nil, errors.New("dbx.Open: Options.Log is required")
	}
	c := opt.Clock
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{
		NowFunc:                func() time.Time { return c.Now() },
		Logger:                 logger.Default.LogMode(logger.Silent),
		SkipDefaultTransaction: true, // writes that need a transaction open one explicitly
		PrepareStmt:            false,
		TranslateError:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if opt.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(opt.MaxOpenConns)
		sqlDB.SetMaxIdleConns(opt.MaxOpenConns)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		return nil, fmt.Errorf("ping database: %w", err)
	}
	opt.Log.Debug("database connected")
	return db, nil
}

// UniqueViolation reports whether err is a PostgreSQL unique violation, and on which constraint.
func UniqueViolation(err error) (constraint string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return pe.ConstraintName, true
	}
	return "", false
}

// ForeignKeyViolation reports whether err is a PostgreSQL foreign-key violation (a referenced
// row is missing, e.g. deleted concurrently), and on which constraint.
func ForeignKeyViolation(err error) (constraint string, ok bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return pe.ConstraintName, true
	}
	return "", false
}

// NotFound reports whether err means "no row".
func NotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// Translate turns a storage error into an engine error: a missing row becomes a not_found with
// the given message, a connection failure becomes unavailable, anything else internal.
func Translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if NotFound(err) {
		return apperr.NotFoundf("%s not found", what)
	}
	if _, ok := UniqueViolation(err); ok {
		return &apperr.Error{Kind: apperr.Conflict, Code: "conflict", Message: what + " already exists", Err: err}
	}
	if Unavailable(err) {
		return UnavailableError(err)
	}
	return apperr.Wrap(err, "storing %s", what)
}

// UnavailableError is the 503 database_unavailable for a cause Unavailable recognises.
func UnavailableError(cause error) *apperr.Error {
	return &apperr.Error{Kind: apperr.Unavailable, Code: "database_unavailable",
		Message: "the database is unavailable (restarting or unreachable); retry the same request, with the same Idempotency-Key", Err: cause}
}

// Unavailable reports whether err means the database is going away or cannot be reached, rather
// than that the request or the engine is wrong: a retry of the same request may succeed. It
// covers a failed connect (refused, timed out, the server starting up or shutting down), a
// server terminating sessions (SQLSTATE class 08 and 57P01–57P03, 53300 too many connections),
// and a connection lost mid-statement (network errors, unexpected EOF, a closed connection),
// and a deadline that ran out waiting for the database. A cancelled context is not: the caller
// went away.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", pe.Code == "53300":
			return true
		}
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || pgconn.SafeToRetry(err) || closedConn(err)
}

// closedConn matches pgx's unexported errors for a connection that is already closed, which
// carry no type to test.
func closedConn(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection closed")
}

// Values returns the placeholders of a multi-row VALUES list: n copies of tuple, e.g.
// Values(2, "(?::uuid, ?::text)") is "(?::uuid, ?::text), (?::uuid, ?::text)". Batched writes
// (UPDATE … FROM (VALUES …), multi-row INSERT … RETURNING) build their statements with it.
func Values(n int, tuple string) string {
	return strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
}

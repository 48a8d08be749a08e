package inbound

import (
	"context"

	"github.com/google/uuid"
)

// lockMailbox runs fn while holding the mailbox's PostgreSQL advisory lock, on a pooled
// connection of its own kept for as long as fn runs (a session lock lives on its connection).
// Errors: ErrMailboxLocked, a storage error, fn's error.
func (s *Store) lockMailbox(ctx context.Context, id uuid.UUID, fn func() error) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	key := "mailbox:" + id.String()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, key).Scan(&got); err != nil {
		return err
	}
	if !got {
		return ErrMailboxLocked
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext($1))`, key) //nolint:errcheck
	return fn()
}

package inbound

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// ReadFailed records a failed read. The first failure of a streak tells the admins (in-app,
// e-mail, webhook through the notifier), once: the note's key names the streak.
// Errors: a storage error.
func (s *Service) ReadFailed(ctx context.Context, id uuid.UUID, cause error) error {
	now := s.clock.Now().Truncate(time.Microsecond)
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	return s.store.markFailing(ctx, id, msg, now, func(tx dbx.Tx, m Mailbox) error {
		if m.Failures != 1 || s.notifier == nil || s.users == nil {
			return nil
		}
		admins, err := s.users.FindStaff(ctx, "", "admin")
		if err != nil || len(admins) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(admins))
		for i, a := range admins {
			ids[i] = a.ID
		}
		_, err = s.notifier.Notify(ctx, tx, mailboxNote(m, ids, msg, now))
		return err
	})
}

// ErrMailboxLocked means another process reads the mailbox now.
var ErrMailboxLocked = errors.New("inbound: another worker reads this mailbox")

// ReadExclusively runs read while no other process reads the mailbox: several worker processes
// each run a reader, and the one holding the mailbox's lock (in PostgreSQL, for as long as read
// runs) is the only one reading it.
// Errors: ErrMailboxLocked (another process reads it), a storage error, read's error.
func (s *Service) ReadExclusively(ctx context.Context, id uuid.UUID, read func(context.Context) error) error {
	return s.store.lockMailbox(ctx, id, func() error { return read(ctx) })
}

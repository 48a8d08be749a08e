package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/google/uuid"
	"github.com/supportd/supportd/tickets/inbound"
)

// MailReader reads every active IMAP mailbox, each in its own loop: one failing mailbox never
// stops another. A loop holds a PostgreSQL advisory lock on its mailbox, so several worker
// processes never read one mailbox at once. It uses IDLE where the server offers it (a new
// message is read at once) and polls every Interval otherwise; either way it reads from the
// UID after the last one stored under the mailbox's UIDVALIDITY, so a restart neither reads a
// message twice nor misses one (and a copy read twice is one message by its dedup key).
type MailReader struct {
	Mail     *inbound.Service
	Interval time.Duration // poll interval, the longest IDLE, and the retry delay after a failure
	Log      *slog.Logger  // required: Run panics without it

	mu    sync.Mutex
	loops map[uuid.UUID]mailLoop
}

type mailLoop struct {
	version time.Time
	stop    context.CancelFunc
	done    chan struct{}
}

// Run reads until ctx ends, picking up mailboxes added, changed or removed every Interval.
func (r *MailReader) Run(ctx context.Context) {
	if r.Interval <= 0 {
		r.Interval = DefaultMailPollInterval
	}
	if r.Log == nil {
		panic("workers.MailReader.Run: Log is required") // injected, never defaulted
	}
	r.loops = map[uuid.UUID]mailLoop{}
	defer r.stopAll()
	for {
		r.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.Interval):
		}
	}
}

func (r *MailReader) refresh(ctx context.Context) {
	mbs, err := r.Mail.IMAPMailboxes(ctx)
	if err != nil {
		r.Log.Error("listing mailboxes", "error", err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[uuid.UUID]bool{}
	for _, mb := range mbs {
		seen[mb.ID] = true
		if l, ok := r.loops[mb.ID]; ok {
			if l.version.Equal(mb.UpdatedAt) {
				continue
			}
			l.stop()
			<-l.done
		}
		lctx, stop := context.WithCancel(ctx)
		l := mailLoop{version: mb.UpdatedAt, stop: stop, done: make(chan struct{})}
		r.loops[mb.ID] = l
		go func(mb inbound.Mailbox) { defer close(l.done); r.loop(lctx, mb.ID) }(mb)
	}
	for id, l := range r.loops {
		if !seen[id] {
			l.stop()
			<-l.done
			delete(r.loops, id)
		}
	}
}

func (r *MailReader) stopAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, l := range r.loops {
		l.stop()
		<-l.done
		delete(r.loops, id)
	}
}

// loop reads one mailbox until ctx ends, recording each failure and retrying after Interval.
func (r *MailReader) loop(ctx context.Context, id uuid.UUID) {
	for ctx.Err() == nil {
		err := r.locked(ctx, id)
		if ctx.Err() != nil {
			return
		}
		if err != nil && !errors.Is(err, inbound.ErrMailboxLocked) {
			r.Log.Warn("mailbox read failed", "mailbox_id", id, "error", err)
			if ferr := r.Mail.ReadFailed(context.WithoutCancel(ctx), id, err); ferr != nil {
				r.Log.Error("recording mailbox failure", "mailbox_id", id, "error", ferr)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(r.Interval):
		}
	}
}

// locked runs a session while this process alone reads the mailbox.
func (r *MailReader) locked(ctx context.Context, id uuid.UUID) error {
	return r.Mail.ReadExclusively(ctx, id, func(ctx context.Context) error { return r.session(ctx, id) })
}

// session connects, then reads new mail, waits (IDLE or a poll interval) and reads again until
// ctx ends or the connection fails.
func (r *MailReader) session(ctx context.Context, id uuid.UUID) error {
	mb, err := r.Mail.FindMailbox(ctx, id)
	if err != nil {
		return err
	}
	secret, err := r.Mail.Secret(ctx, id)
	if err != nil {
		return fmt.Errorf("opening the mailbox password: %w", err)
	}
	wake := make(chan struct{}, 1)
	opts := &imapclient.Options{Dialer: &net.Dialer{Timeout: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}}}
	addr := net.JoinHostPort(mb.IMAPHost, strconv.Itoa(mb.IMAPPort))
	var c *imapclient.Client
	switch mb.TLSMode {
	case inbound.TLSImplicit:
		c, err = imapclient.DialTLS(addr, opts)
	case inbound.TLSStart:
		c, err = imapclient.DialStartTLS(addr, opts)
	default:
		c, err = imapclient.DialInsecure(addr, opts)
	}
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.Login(mb.Username, secret).Wait(); err != nil {
		return fmt.Errorf("login as %s: %w", mb.Username, err)
	}
	idle := c.Caps().Has(imap.CapIdle)
	for ctx.Err() == nil {
		if mb, err = r.readNew(ctx, c, mb); err != nil {
			return err
		}
		if err := r.Mail.ReadSucceeded(ctx, id); err != nil {
			return err
		}
		if !idle {
			select {
			case <-ctx.Done():
			case <-time.After(r.Interval):
			}
			continue
		}
		cmd, err := c.Idle()
		if err != nil {
			return fmt.Errorf("IDLE: %w", err)
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(r.Interval):
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("ending IDLE: %w", err)
		}
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("IDLE: %w", err)
		}
	}
	_ = c.Logout().Wait()
	return nil
}

// readNew stores every message after the last UID stored, in UID order, recording the position
// after each and then applying the after-import action.
func (r *MailReader) readNew(ctx context.Context, c *imapclient.Client, mb inbound.Mailbox) (inbound.Mailbox, error) {
	sel, err := c.Select(mb.Folder, nil).Wait()
	if err != nil {
		return mb, fmt.Errorf("SELECT %s: %w", mb.Folder, err)
	}
	if sel.UIDValidity != mb.UIDValidity {
		// A new mailbox, or the server renumbered it: read it all; copies already stored are
		// recognised by their dedup key.
		mb.UIDValidity, mb.LastUID = sel.UIDValidity, 0
	}
	if sel.NumMessages == 0 {
		return mb, r.Mail.SetPosition(ctx, mb.ID, mb.UIDValidity, mb.LastUID)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(mb.LastUID + 1), Stop: 0}}}}, nil).Wait()
	if err != nil {
		return mb, fmt.Errorf("UID SEARCH: %w", err)
	}
	for _, uid := range found.AllUIDs() {
		if uint32(uid) <= mb.LastUID {
			continue // "n:*" always matches the last message
		}
		body := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
		if err != nil {
			return mb, fmt.Errorf("UID FETCH %d: %w", uid, err)
		}
		if len(msgs) == 0 {
			continue // expunged meanwhile
		}
		id := mb.ID
		if _, _, err := r.Mail.Receive(ctx, msgs[0].FindBodySection(body), inbound.Delivery{Source: "imap", MailboxID: &id}); err != nil {
			return mb, err
		}
		mb.LastUID = uint32(uid)
		if err := r.Mail.SetPosition(ctx, mb.ID, mb.UIDValidity, mb.LastUID); err != nil {
			return mb, err
		}
		if err := afterImport(c, mb, uid); err != nil {
			return mb, err
		}
	}
	return mb, nil
}

func afterImport(c *imapclient.Client, mb inbound.Mailbox, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	switch mb.AfterImport {
	case inbound.AfterMove:
		if _, err := c.Move(set, mb.MoveTo).Wait(); err != nil {
			return fmt.Errorf("MOVE to %s: %w", mb.MoveTo, err)
		}
	case inbound.AfterDelete:
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return fmt.Errorf("STORE \\Deleted: %w", err)
		}
		if c.Caps().Has(imap.CapUIDPlus) {
			return c.UIDExpunge(set).Close()
		}
		return c.Expunge().Close()
	default:
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			return fmt.Errorf("STORE \\Seen: %w", err)
		}
	}
	return nil
}

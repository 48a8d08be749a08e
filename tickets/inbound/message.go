package inbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/page"
)

// Message states.
const (
	MsgStored    = "stored"    // stored, not processed yet
	MsgProcessed = "processed" // became an incident or a reply
	MsgIgnored   = "ignored"   // loops and noise: never answered
	MsgLead      = "lead"      // unknown sender or refused intake, kept as a renewal lead
	MsgRejected  = "rejected"  // too large, the sender was told
	MsgFailed    = "failed"    // could not be processed; staff may reprocess
)

// Delivery says how a message arrived.
type Delivery struct {
	Source       string     // imap or lmtp
	MailboxID    *uuid.UUID // the mailbox it was read from or delivered for
	EnvelopeFrom string
	Recipients   []string // envelope recipients (LMTP)
}

// Message is a stored message, without its raw bytes.
type Message struct {
	ID           uuid.UUID
	MailboxID    *uuid.UUID
	Source       string
	DedupKey     string
	EnvelopeFrom string
	Recipients   []string
	Size         int
	State        string
	Outcome      string
	Error        string
	MessageID    string
	FromAddress  string
	Subject      string
	IncidentID   *uuid.UUID
	Attempts     int
	ReceivedAt   time.Time
	ProcessedAt  *time.Time
}

// Receive stores a message as it arrived, before anything else is done with it, and hands it
// to processing. A copy already stored (same dedup key: one mail to two support addresses, a
// redelivery) is not stored again: duplicate is true and id names the first copy.
// Errors: a storage error (the caller must not acknowledge the message: LMTP answers 4xx, IMAP
// reads it again).
func (s *Service) Receive(ctx context.Context, raw []byte, d Delivery) (id uuid.UUID, duplicate bool, err error) {
	row := messageRow{ID: uuid.Must(uuid.NewV7()), MailboxID: d.MailboxID, Source: d.Source, EnvelopeFrom: d.EnvelopeFrom,
		Recipients: d.Recipients, Raw: raw, Size: len(raw), State: MsgStored, ReceivedAt: s.clock.Now()}
	if row.Recipients == nil {
		row.Recipients = []string{}
	}
	// Reading the header for the dedup key is in memory; a message whose header does not even
	// parse is stored all the same (it will fail processing, visibly), keyed by its bytes.
	if p, perr := mailmsg.Parse(raw, mailmsg.Limits{MaxMessageBytes: 1}); perr == nil {
		row.DedupKey = mailmsg.DedupKey(p, raw)
		row.MessageID, row.FromAddress = p.MessageID, p.From.Email
		row.Subject = truncate(p.Subject, 500)
	} else {
		sum := sha256.Sum256(raw)
		row.DedupKey = "raw:" + hex.EncodeToString(sum[:])
	}
	first, err := s.store.insertMessage(ctx, row)
	if err != nil {
		return uuid.Nil, false, err
	}
	if first != row.ID {
		return first, true, nil
	}
	if s.queue != nil {
		if err := s.queue.EnqueueProcessing(ctx, row.ID); err != nil {
			// Stored is what counts: the sweeper hands it over later.
			s.log.Warn("could not enqueue mail processing; the sweeper will", "message_id", row.ID, "error", err)
		}
	}
	return row.ID, false, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8Start(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 {
		s = s[:len(s)-1]
	}
	return strings.ToValidUTF8(s, "")
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// MessageFilter selects stored messages for staff.
type MessageFilter struct {
	State string
}

// Messages lists a page of stored messages, newest first (staff), and the next page's cursor.
// Errors: forbidden, invalid_value (state, limit, cursor).
func (s *Service) Messages(ctx context.Context, actor accounts.User, f MessageFilter, req page.Request) ([]Message, string, error) {
	if !actor.Role.Staff() {
		return nil, "", apperr.New(apperr.Forbidden, "forbidden", "inbound mail is for staff")
	}
	switch f.State {
	case "", MsgStored, MsgProcessed, MsgIgnored, MsgLead, MsgRejected, MsgFailed:
	default:
		return nil, "", apperr.InvalidField("state", "state must be stored, processed, ignored, lead, rejected or failed")
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	ms, err := s.store.findMessagePage(ctx, f.State, req)
	if err != nil {
		return nil, "", err
	}
	ms, next := page.Cut(ms, req.Limit, func(m Message) page.Cursor { return page.Cursor{At: m.ReceivedAt, ID: m.ID.String()} })
	return ms, next, nil
}

// GetMessage returns one stored message (staff).
// Errors: forbidden, not_found.
func (s *Service) GetMessage(ctx context.Context, actor accounts.User, id uuid.UUID) (Message, error) {
	if !actor.Role.Staff() {
		return Message{}, apperr.New(apperr.Forbidden, "forbidden", "inbound mail is for staff")
	}
	return s.store.findMessage(ctx, id)
}

// Reprocess puts a failed (or rejected, or lead) message back to be processed (staff who work
// incidents), e.g. after the sender was added as a user or a bug was fixed.
// Errors: forbidden, not_found, conflict (already processed or pending).
func (s *Service) Reprocess(ctx context.Context, actor accounts.User, id uuid.UUID) (Message, error) {
	if actor.Role != accounts.Engineer && actor.Role != accounts.SupportManager && actor.Role != accounts.Admin {
		return Message{}, apperr.New(apperr.Forbidden, "forbidden", "only support staff may reprocess mail")
	}
	reset, err := s.store.resetMessage(ctx, id)
	if err != nil {
		return Message{}, err
	}
	m, err := s.GetMessage(ctx, actor, id)
	if err != nil {
		return Message{}, err
	}
	if !reset {
		return Message{}, apperr.New(apperr.Conflict, "not_reprocessable", "only failed, rejected or lead messages can be reprocessed; this one is %s", m.State)
	}
	if s.queue != nil {
		if err := s.queue.EnqueueProcessing(ctx, id); err != nil {
			s.log.Warn("could not enqueue mail reprocessing; the sweeper will", "message_id", id, "error", err)
		}
	}
	return m, nil
}

// Unprocessed returns stored messages no processing run holds, oldest first, for the sweeper
// (Redis lost the task, or a worker died mid-way).
// Errors: a storage error.
func (s *Service) Unprocessed(ctx context.Context, olderThan time.Duration, limit int) ([]uuid.UUID, error) {
	now := s.clock.Now()
	return s.store.findUnprocessed(ctx, now.Add(-olderThan), now, limit)
}

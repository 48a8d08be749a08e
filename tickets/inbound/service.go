package inbound

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/secretbox"
)

// Config tunes the mail channel.
type Config struct {
	// ReopenWithin: a reply to an incident resolved less long ago reopens it; a later one opens
	// a new incident linked to it. Zero means never reopen: every reply to a resolved incident
	// opens a new one linked to it. Unlike the other fields, zero is not replaced by a default,
	// because it is a setting an operator chooses (MAIL_REOPEN_DAYS=0); internal/app gives
	// DefaultReopenWithin when the variable is unset. Negative is refused by New.
	ReopenWithin time.Duration
	// AutoReplyCap is how many automatic mails one address gets per day at most (default
	// DefaultAutoReplyCap).
	AutoReplyCap int
	// Limits bound the message and attachment sizes (mailmsg.DefaultLimits where zero).
	Limits mailmsg.Limits
	// From is the sending mailer's own address: mail from it is our own.
	From string
}

// The mail channel's defaults; internal/app's MAIL_REOPEN_DAYS and MAIL_AUTO_REPLY_CAP take
// theirs from here (and MAIL_MAX_BYTES, MAIL_ATTACHMENT_MAX_BYTES from mailmsg.DefaultLimits).
// DefaultAutoReplyCap also replaces a zero AutoReplyCap; DefaultReopenWithin is only the
// environment's default, since a zero ReopenWithin means "never reopen".
const (
	DefaultReopenWithin = 14 * 24 * time.Hour
	DefaultAutoReplyCap = 5
)

func (c Config) withDefaults() Config {
	if c.AutoReplyCap <= 0 {
		c.AutoReplyCap = DefaultAutoReplyCap
	}
	if c.Limits.MaxMessageBytes <= 0 {
		c.Limits.MaxMessageBytes = mailmsg.DefaultLimits.MaxMessageBytes
	}
	if c.Limits.MaxAttachmentBytes <= 0 {
		c.Limits.MaxAttachmentBytes = mailmsg.DefaultLimits.MaxAttachmentBytes
	}
	return c
}

// Service is the mail channel.
type Service struct {
	store     *Store
	box       *secretbox.Box
	clock     clock.Clock
	incidents Incidents
	users     Users
	notifier  Notifier
	sender    Sender
	signer    *mailmsg.Signer
	queue     Enqueuer
	cfg       Config
	log       *slog.Logger
}

// Deps are what the service uses. Store, Clock, Incidents, Users and Log are required. Box,
// Notifier, Sender, Signer and Queue may be nil: no sealing (secrets stored as given), no admin
// notes, no automatic answers, threading without our tokens (by Message-ID and subject only),
// processing found by the sweeper. A process that reads mail builds the service with its
// Signer (the composition root does so once the database holds the key); one that only serves
// the API does not need it.
type Deps struct {
	Store     *Store
	Box       *secretbox.Box
	Clock     clock.Clock
	Incidents Incidents
	Users     Users
	Notifier  Notifier
	Sender    Sender
	Signer    *mailmsg.Signer
	Queue     Enqueuer
	Log       *slog.Logger
}

// New returns the mail channel service. It panics when d.Log or d.Clock is nil (the composition
// root injects the process logger and the one clock; a default here would bypass the logger's
// settings or the tests' clock) or when cfg.ReopenWithin is negative: wiring mistakes, found at
// start rather than by the first mail.
func New(d Deps, cfg Config) *Service {
	if d.Log == nil {
		panic("inbound.New: Log is required")
	}
	if d.Clock == nil {
		panic("inbound.New: Clock is required")
	}
	if cfg.ReopenWithin < 0 {
		panic("inbound.New: ReopenWithin is negative (zero means never reopen)")
	}
	return &Service{store: d.Store, box: d.Box, clock: d.Clock, incidents: d.Incidents, users: d.Users, notifier: d.Notifier,
		sender: d.Sender, signer: d.Signer, queue: d.Queue, cfg: cfg.withDefaults(), log: d.Log}
}

// KindMailboxFailing is the notification kind of a mailbox that stopped being read.
const KindMailboxFailing = "mailbox_failing"

func mailboxNote(m Mailbox, admins []uuid.UUID, cause string, now time.Time) escalation.Note {
	since := now
	if m.FailingSince != nil {
		since = *m.FailingSince
	}
	return escalation.Note{Kind: KindMailboxFailing, Recipients: admins,
		Subject: fmt.Sprintf("Mailbox %q cannot be read", m.Name),
		Body: fmt.Sprintf("supportd cannot read the mailbox %q (%s@%s, folder %s): %s\n\nMail to %s waits on the server until this is fixed; "+
			"GET /v1/mailboxes/%s shows the state. You are told once per failure streak.",
			m.Name, m.Username, m.IMAPHost, m.Folder, cause, strings.Join(m.Addresses, ", "), m.ID),
		Data:     map[string]any{"mailbox_id": m.ID, "error": cause},
		DedupKey: fmt.Sprintf("mailbox_failing:%s:%d", m.ID, since.UnixMicro())}
}

package inbound

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
)

// ownAddresses are the addresses mail from which is our own: every mailbox's support addresses
// and the sending mailer's.
func (s *Service) ownAddresses(ctx context.Context) ([]string, error) {
	mbs, err := s.store.findMailboxes(ctx, false)
	if err != nil {
		return nil, err
	}
	out := []string{}
	if s.cfg.From != "" {
		out = append(out, strings.ToLower(s.cfg.From))
	}
	for _, m := range mbs {
		out = append(out, m.Addresses...)
	}
	return out, nil
}

// markUndeliverable records the addresses a bounce reported: staff see them, and automatic mail
// skips them.
func (s *Service) markUndeliverable(ctx context.Context, bounce uuid.UUID, addrs []string, reason string) error {
	for _, a := range addrs {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if err := s.store.markUndeliverable(ctx, a, truncate(reason, 500), bounce, s.clock.Now()); err != nil {
			return err
		}
	}
	return nil
}

// Undeliverable is an address a bounce reported.
type Undeliverable struct {
	Address         string
	UndeliverableAt time.Time
	Reason          string
	BounceID        *uuid.UUID
}

// UndeliverableAddresses lists a page of the addresses bounces reported, newest first, and the
// next page's cursor (staff; the API checks the role).
// Errors: invalid_value (limit, cursor).
func (s *Service) UndeliverableAddresses(ctx context.Context, req page.Request) ([]Undeliverable, string, error) {
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	list, err := s.store.findUndeliverablePage(ctx, req)
	if err != nil {
		return nil, "", err
	}
	list, next := page.Cut(list, req.Limit, func(u Undeliverable) page.Cursor { return page.Cursor{At: u.UndeliverableAt, ID: u.Address} })
	return list, next, nil
}

// IsUndeliverable reports whether a bounce marked the address undeliverable.
// Errors: a storage error.
func (s *Service) IsUndeliverable(ctx context.Context, addr string) (bool, error) {
	return s.store.isUndeliverable(ctx, addr)
}

// autoReply sends one automatic answer to a person's mail, never to an automatic one: only when
// Classify allows it, the address is not undeliverable, the address got fewer than the daily
// cap today, and this message has had no answer of this kind (a second processing run sends
// nothing). It is best effort: the incident or lead matters more than the answer, so failures
// are logged, not returned.
func (s *Service) autoReply(ctx context.Context, m mail, kind string, inc *tickets.Incident, subject, text string) {
	if s.sender == nil || s.signer == nil || !m.cls.MayAutoReply {
		return
	}
	to := m.p.From.Email
	if len(m.p.ReplyTo) > 0 && m.p.ReplyTo[0].Email != "" {
		to = m.p.ReplyTo[0].Email
	}
	to = strings.ToLower(to)
	log := s.log.With("inbound_message_id", m.row.ID, "kind", kind, "to", to)
	if bad, err := s.IsUndeliverable(ctx, to); err != nil || bad {
		log.Info("no automatic answer: address undeliverable", "error", err)
		return
	}
	now := s.clock.Now()
	day := now.UTC().Format("2006-01-02")
	// Count and claim in one statement: two runs at once cannot both pass the cap.
	if ok, err := s.store.claimAutoReply(ctx, m.row.ID, kind, to, day, now, s.cfg.AutoReplyCap); err != nil || !ok {
		log.Info("no automatic answer: answered already or daily cap reached", "error", err)
		return
	}
	from := "support@" + s.signer.Domain()
	if m.mailbox != nil && len(m.mailbox.Addresses) > 0 {
		from = m.mailbox.Addresses[0]
	} else if rc := m.recipients(); len(rc) > 0 {
		from = rc[0]
	}
	o := mailmsg.Outgoing{From: mailmsg.Address{Name: "Support", Email: from}, To: []mailmsg.Address{{Email: to}},
		Subject: subject, InReplyTo: m.p.MessageID, References: m.p.References, Text: text, AutoReplied: true, Date: now,
		NotificationID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(m.row.ID.String()+":"+kind))}
	if inc != nil {
		o.Reference, o.IncidentID = inc.Reference, inc.ID
		o.ReplyTo = []mailmsg.Address{{Name: "Support", Email: s.signer.PlusAddress(from, inc.ID)}}
	}
	c, err := s.signer.Compose(o)
	if err == nil {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = s.sender.SendMessage(sctx, []string{to}, c.Data)
		cancel()
	}
	if err != nil {
		log.Error("automatic answer not sent", "error", err)
	}
}

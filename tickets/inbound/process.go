package inbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

// leaseFor is how long one processing run holds a message; a run that dies leaves it to the
// sweeper after this.
const leaseFor = 2 * time.Minute

// maxAttempts: a message whose processing failed this many times is marked failed instead of
// being retried for ever (the sweep would otherwise queue it again and again).
const maxAttempts = 20

// ErrHeld means another processing run holds the message now; try later.
var ErrHeld = errors.New("inbound: the message is being processed by another run")

// result is what processing settled on for a message.
type result struct {
	state, outcome, errText string
	incident                *uuid.UUID
}

// Process turns a stored message into what it is: a new incident, a reply to one, a lead, or
// nothing (loops and noise), and sends the automatic answer where one is due. It is safe to run
// twice, concurrently or after a crash: one run at a time holds the message (a lease), a
// processed message is left alone, the incident is opened with an idempotency key naming the
// message and a reply carries the message's key, so a message becomes exactly one incident or
// update. A message that cannot be processed is marked failed for staff; a transient error
// (the database) is returned for the task to retry.
// Errors: ErrHeld, a storage or transient error.
func (s *Service) Process(ctx context.Context, id uuid.UUID) error {
	now := s.clock.Now()
	row, err := s.store.leaseMessage(ctx, id, now, now.Add(leaseFor))
	if err != nil {
		return err
	}
	if row.ID == uuid.Nil {
		state, err := s.store.messageState(ctx, id)
		if err != nil {
			return err
		}
		if state == MsgStored {
			return ErrHeld
		}
		return nil // processed already, or gone
	}
	r, err := s.process(ctx, row)
	if err != nil && row.Attempts < maxAttempts {
		// Transient: release the lease so a retry may take it.
		_ = s.store.releaseMessage(ctx, id, truncate(err.Error(), 2000))
		return err
	}
	if err != nil {
		// Not transient after all: staff see it in the failed queue and may reprocess it.
		r = result{state: MsgFailed, outcome: "gave_up", errText: truncate(err.Error(), 2000)}
	}
	return s.store.settleMessage(ctx, id, r, s.clock.Now())
}

func (s *Service) process(ctx context.Context, row messageRow) (result, error) {
	p, err := mailmsg.Parse(row.Raw, s.cfg.Limits)
	if err != nil {
		return result{state: MsgFailed, outcome: "unparseable", errText: err.Error()}, nil
	}
	if p.From.Email == "" {
		return result{state: MsgFailed, outcome: "no_sender", errText: "the message has no usable From address"}, nil
	}
	var mb *Mailbox
	if row.MailboxID != nil {
		if m, err := s.store.findMailbox(ctx, *row.MailboxID); err == nil {
			mb = &m
		} else if apperr.KindOf(err) != apperr.NotFound {
			return result{}, err
		}
	}
	own, err := s.ownAddresses(ctx)
	if err != nil {
		return result{}, err
	}
	cls := mailmsg.Classify(p, mailmsg.LoopRules{OwnAddresses: own, Signer: s.signer})
	m := mail{row: row, p: p, cls: cls, mailbox: mb}
	switch cls.Verdict {
	case mailmsg.VerdictOwnMail:
		return result{state: MsgIgnored, outcome: "own_mail"}, nil
	case mailmsg.VerdictBounce:
		if err := s.markUndeliverable(ctx, row.ID, cls.FailedRecipients, strings.Join(cls.Reasons, "; ")); err != nil {
			return result{}, err
		}
		return result{state: MsgIgnored, outcome: "bounce"}, nil
	}
	if p.TooLarge {
		s.autoReply(ctx, m, "too_large", nil, "Your message was not accepted: it is too large",
			fmt.Sprintf("Your message \"%s\" is %s; we accept messages up to %s.\n\nPlease send it again without the large attachments, and add files to the incident through the support portal or API instead.\n\nThis is an automatic message.",
				p.Subject, size(p.Size), size(s.cfg.Limits.MaxMessageBytes)))
		return result{state: MsgRejected, outcome: "too_large"}, nil
	}
	user, err := s.users.FindUserByEmail(ctx, p.From.Email)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return result{}, err
	}
	if err == nil && (!user.Role.Customer() || user.OrganizationID == nil) {
		// Staff writing to the support address: not an intake, and never answered.
		return result{state: MsgIgnored, outcome: "staff_sender"}, nil
	}
	if err != nil {
		if cls.Verdict != mailmsg.VerdictNormal {
			return result{state: MsgIgnored, outcome: string(cls.Verdict)}, nil
		}
		return s.unknownSender(ctx, m)
	}
	if cls.Verdict != mailmsg.VerdictNormal {
		// An out-of-office or a list mail from a customer is never answered and does not count
		// as their reply (it would end waiting on them).
		return result{state: MsgIgnored, outcome: string(cls.Verdict)}, nil
	}
	incID, err := s.thread(ctx, m, user)
	if err != nil {
		return result{}, err
	}
	if incID != nil {
		r, done, err := s.reply(ctx, m, user, *incID)
		if done || err != nil {
			return r, err
		}
		// Resolved too long ago: a new incident, linked to the old one.
		return s.open(ctx, m, user, incID)
	}
	return s.open(ctx, m, user, nil)
}

// open opens a new incident for the mail; prev, when set, is the resolved incident it answered.
func (s *Service) open(ctx context.Context, m mail, user accounts.User, prev *uuid.UUID) (result, error) {
	product := m.product()
	if product == "" {
		return result{state: MsgFailed, outcome: "no_product", errText: "the message came through no mailbox with a default product"}, nil
	}
	sev := requestedSeverity(m.p.Subject, m.body())
	in := tickets.NewIncident{Product: product, Title: title(m.p.Subject), Description: m.body(), Severity: sev,
		Channel: tickets.ChannelEmail, ChannelObserved: true, Raw: m.row.Raw}
	inc, _, err := s.incidents.Open(ctx, user, in, m.key())
	if code, msg, ok := tickets.IsRefusal(err); ok {
		// Open kept the refusal with the whole message; tell the customer why and what to do.
		s.autoReply(ctx, m, "refused", nil, "We could not open a support incident for your message",
			fmt.Sprintf("Thank you for your message \"%s\".\n\nWe could not open a support incident for it: %s\n\nYour message is kept; once the contract is in order, reply to this mail or contact your account manager. This is an automatic message.", m.p.Subject, msg))
		return result{state: MsgLead, outcome: code}, nil
	}
	if ae := (*apperr.Error)(nil); errors.As(err, &ae) && ae.Kind != apperr.Internal && ae.Kind != apperr.Unavailable {
		return result{state: MsgFailed, outcome: ae.Code, errText: ae.Error()}, nil
	}
	if err != nil {
		return result{}, err
	}
	if err := s.storeAttachments(ctx, m, inc.ID); err != nil {
		return result{}, err
	}
	outcome := "opened"
	if prev != nil {
		if err := s.incidents.LinkFollowUp(ctx, user, *prev, inc); err != nil {
			return result{}, err
		}
		outcome = "follow_up_opened"
	}
	text := fmt.Sprintf("We received your message and opened incident %s: %s\n\nSeverity: %d.", inc.Reference, inc.Title, inc.Severity)
	if inc.SeverityConfirmationRequired && inc.RequestedSeverity != nil {
		text += fmt.Sprintf(" You asked for severity %d. A severity 1 or 2 sent by e-mail must be confirmed by phone: please call support and give the reference %s. Until an engineer confirms it, the incident is handled at severity %d.",
			*inc.RequestedSeverity, inc.Reference, inc.Severity)
	}
	if prev != nil {
		text += "\n\nThe incident you answered was resolved too long ago to reopen; this new incident is linked to it."
	}
	text += "\n\nTo add information, reply to this mail and keep the reference in the subject. An engineer will answer you.\n\nThis is an automatic message."
	s.autoReply(ctx, m, "receipt", &inc, "Received: "+inc.Title, text)
	return result{state: MsgProcessed, outcome: outcome, incident: &inc.ID}, nil
}

// reply records the mail as the customer's reply. done is false when the incident was resolved
// too long ago: the caller opens a new one.
func (s *Service) reply(ctx context.Context, m mail, user accounts.User, incID uuid.UUID) (result, bool, error) {
	atts := 0
	for _, a := range m.p.Attachments {
		if !a.Oversize {
			atts++
		}
	}
	inc, outcome, err := s.incidents.MailReply(ctx, user, incID, m.body(), m.key(), atts, s.cfg.ReopenWithin)
	if errors.Is(err, tickets.ErrReopenWindowPassed) {
		return result{}, false, nil
	}
	if err != nil {
		return result{}, true, err
	}
	if err := s.storeAttachments(ctx, m, inc.ID); err != nil {
		return result{}, true, err
	}
	return result{state: MsgProcessed, outcome: string(outcome), incident: &inc.ID}, true, nil
}

// unknownSender keeps a mail from someone who is no customer user as a lead and tells them.
func (s *Service) unknownSender(ctx context.Context, m mail) (result, error) {
	err := s.incidents.KeepMailLead(ctx, entitlement.MailLead{SenderEmail: m.p.From.Email, Product: m.product(), Code: "unknown_sender",
		Message: "the sender's address belongs to no customer user", InboundMessageID: m.row.ID, Raw: m.row.Raw, At: s.clock.Now()})
	if err != nil {
		return result{}, err
	}
	s.autoReply(ctx, m, "unknown_sender", nil, "We could not match your address to a support contract",
		fmt.Sprintf("Thank you for your message \"%s\".\n\nWe could not open a support incident: the address %s is not registered with a customer that holds a support contract.\n\n"+
			"If your organisation has a contract, please write from the address registered for you, or ask your organisation's support administrator to add you. "+
			"If you wish to buy or renew support, your account manager will help. Your message is kept.\n\nThis is an automatic message.", m.p.Subject, m.p.From.Email))
	return result{state: MsgLead, outcome: "unknown_sender"}, nil
}

func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

package app

import (
	"context"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// openMail builds the e-mail channel's service with its store, queue, sender and the given
// signer of our mail's tokens: nil for a process that only serves the API (it neither reads
// mail nor sends automatic answers), the database's key once PrepareMail has read it.
func (e *Engine) openMail(signer *mailmsg.Signer) {
	from := ""
	if e.Mailer != nil {
		from = e.Mailer.From()
	}
	// SECRET_KEY seals mailbox passwords as it seals webhook secrets.
	d := inbound.Deps{Store: inbound.NewStore(e.DB), Box: e.Secrets, Clock: e.Clock, Incidents: e.Incidents, Users: e.Accounts,
		Notifier: e.Outbox, Signer: signer, Queue: e.MailQueue, Log: e.Log}
	if e.Mailer != nil {
		d.Sender = e.Mailer
	}
	e.Mail = inbound.New(d, inbound.Config{ReopenWithin: e.Cfg.Mail.ReopenWithin, AutoReplyCap: e.Cfg.Mail.AutoReplyCap,
		Limits: mailmsg.Limits{MaxMessageBytes: e.Cfg.Mail.MaxMessageBytes, MaxAttachmentBytes: int64(e.Cfg.Mail.MaxAttachmentBytes)}, From: from})
}

func (e *Engine) mailWorkerConfig() workers.MailConfig {
	return workers.MailConfig{PollInterval: e.Cfg.Mail.PollInterval, SweepInterval: e.Cfg.Mail.PollInterval,
		LMTPAddr: e.Cfg.Mail.LMTPAddr, MaxMessageBytes: e.Cfg.Mail.MaxMessageBytes}
}

// mailDomain is the domain of our Message-IDs: MAIL_DOMAIN, else that of SMTP_URL's from address.
func (e *Engine) mailDomain() string {
	if e.Cfg.Mail.Domain != "" {
		return e.Cfg.Mail.Domain
	}
	from := ""
	if e.Mailer != nil {
		from = e.Mailer.From()
	}
	return escalation.MailDomain(from)
}

// PrepareMail builds the one signer of the tokens our mail carries out and replies bring back in
// (MAIL_TOKEN_KEY, else a key generated once and kept in the migrated database) and builds the
// inbound service again with it; Work calls it before the workers start, so e.Mail must be
// read after it. Once done it does nothing: a process that serves the API beside its workers
// (dev) calls it before starting either, so neither sees e.Mail change.
func (e *Engine) PrepareMail(ctx context.Context) error {
	if e.mailSigner != nil {
		return nil
	}
	signer, err := escalation.NewMailSigner(ctx, e.escStore, e.Cfg.MailTokenKey, e.mailDomain())
	if err != nil {
		return err
	}
	e.mailSigner = signer
	e.openMail(signer)
	return nil
}

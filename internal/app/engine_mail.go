package app

import (
	"context"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// openMail builds the e-mail channel: the inbound service, with its queue, signer and sender.
func (e *Engine) openMail() error {
	box := e.Secrets // SECRET_KEY seals mailbox passwords as it seals webhook secrets
	from := ""
	if e.Mailer != nil {
		from = e.Mailer.From()
	}
	d := inbound.Deps{DB: e.DB, Box: box, Clock: e.Clock, Incidents: e.Incidents, Users: e.Accounts,
		Notifier: e.Outbox, Log: e.Log}
	if e.Mailer != nil {
		d.Sender = e.Mailer
	}
	e.Mail = inbound.New(d, inbound.Config{ReopenWithin: e.Cfg.Mail.ReopenWithin, AutoReplyCap: e.Cfg.Mail.AutoReplyCap,
		Limits: mailmsg.Limits{MaxMessageBytes: e.Cfg.Mail.MaxMessageBytes, MaxAttachmentBytes: int64(e.Cfg.Mail.MaxAttachmentBytes)}, From: from})
	e.MailQueue = workers.NewMailQueue(e.Redis)
	e.Mail.UseQueue(e.MailQueue)
	return nil
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
// (MAIL_TOKEN_KEY, else a key generated once and kept in the migrated database) and gives it to
// the inbound service; Work calls it before the workers start.
func (e *Engine) PrepareMail(ctx context.Context) error {
	signer, err := escalation.NewMailSigner(ctx, e.DB, e.Cfg.MailTokenKey, e.mailDomain())
	if err != nil {
		return err
	}
	e.mailSigner = signer
	e.Mail.UseSigner(signer)
	return nil
}

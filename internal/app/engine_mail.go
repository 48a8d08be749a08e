package app

import (
	"strings"

	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// openMail builds the e-mail channel: the inbound service, with its queue, signer and sender.
func (e *Engine) openMail() error {
	box := e.Secrets // SECRET_KEY seals mailbox passwords as it seals webhook secrets
	var signer *mailmsg.Signer
	from := ""
	if e.Mailer != nil {
		from = e.Mailer.From()
	}
	if e.Cfg.Mail.TokenKey != nil {
		domain := e.Cfg.Mail.Domain
		if domain == "" {
			if _, d, ok := strings.Cut(from, "@"); ok {
				domain = d
			}
		}
		if domain == "" {
			domain = "supportd.localhost"
		}
		s, err := mailmsg.NewSigner(e.Cfg.Mail.TokenKey, domain)
		if err != nil {
			return err
		}
		signer = s
	}
	d := inbound.Deps{DB: e.DB, Box: box, Clock: e.Clock, Incidents: e.Incidents, Users: e.Accounts,
		Notifier: e.Notifier, Signer: signer, Log: e.Log}
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

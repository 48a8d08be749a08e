package escalation

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/mailmsg"
)

// sendCustomerEmail sends a customer notification composed by mailmsg: a Message-ID derived
// from the notification (the same in every attempt), In-Reply-To the previous mail of the
// incident to this recipient (or the incident's reference id), References with the incident's
// reference id and the thread, the reference in the subject, Auto-Submitted and
// X-Auto-Response-Suppress, text and HTML, and a Reply-To plus-address carrying the incident's
// signed token so that a reply finds its incident.
func (d *Deliverer) sendCustomerEmail(ctx context.Context, r notificationRow, to string, meta map[string]any) error {
	if d.cfg.Signer == nil {
		return errors.New("no mail signer in this worker (DeliveryConfig.Signer)")
	}
	if r.IncidentID == nil {
		return permanentError{errors.New("customer e-mail without incident")}
	}
	ref, _ := r.Data["reference"].(string)
	name, _ := meta["to_name"].(string)
	var thread []string
	if list, ok := meta["thread"].([]any); ok {
		for _, x := range list {
			s, _ := x.(string)
			if id, err := uuid.Parse(s); err == nil {
				thread = append(thread, d.cfg.Signer.MessageID(id, *r.IncidentID))
			}
		}
	}
	inReplyTo := d.cfg.Signer.IncidentMessageID(*r.IncidentID)
	if n := len(thread); n > 0 {
		inReplyTo = thread[n-1]
	}
	from := d.mailer.From()
	msg, err := d.cfg.Signer.Compose(mailmsg.Outgoing{
		From:    mailmsg.Address{Name: "Support", Email: from},
		To:      []mailmsg.Address{{Name: strings.TrimSpace(name), Email: to}},
		ReplyTo: []mailmsg.Address{{Email: d.cfg.Signer.PlusAddress(from, *r.IncidentID)}},
		Subject: r.Subject, Reference: ref, IncidentID: *r.IncidentID, NotificationID: r.ID,
		InReplyTo: inReplyTo, References: thread, Text: r.Body, Date: d.clock.Now(),
	})
	if err != nil {
		return permanentError{fmt.Errorf("compose: %w", err)}
	}
	return d.mailer.SendMessage(ctx, []string{to}, msg.Data)
}

// MailKeyBytes is the length of a generated mail token key.
const MailKeyBytes = 32

// NewMailSigner returns the signer of our mail's Message-IDs and reply tokens for domain (the
// support address's). key is MAIL_TOKEN_KEY; when it is empty, the key generated once and kept in
// PostgreSQL is used (and generated now if there is none), so that every process, and every
// restart, signs alike.
// Errors: a key shorter than mailmsg.MinKeyBytes, a bad domain, storage errors.
func NewMailSigner(ctx context.Context, store *Store, key []byte, domain string) (*mailmsg.Signer, error) {
	if len(key) == 0 {
		fresh := make([]byte, MailKeyBytes)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		var err error
		if key, err = store.mailTokenKey(ctx, fresh); err != nil {
			return nil, fmt.Errorf("mail token key: %w", err)
		}
	}
	return mailmsg.NewSigner(key, domain)
}

// MailDomain is the domain of an address, for Message-IDs ("supportd.local" when it has none).
func MailDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i < len(addr)-1 {
		return addr[i+1:]
	}
	return "supportd.local"
}

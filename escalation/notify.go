package escalation

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/tickets"
)

// Notification kinds: what a note is about. Webhook subscriptions filter on them, so a kind a
// producer uses belongs in Kinds, or no subscription can ask for it by name.
const (
	KindIncidentOpened  = "incident_opened"
	KindEscalation      = "escalation"
	KindBreach          = "breach"
	KindRenewalReminder = "renewal_reminder"
	KindSLAWarning      = "sla_warning"
	// KindResolutionConfirmed tells the assignee that the customer confirmed the resolution.
	KindResolutionConfirmed = "resolution_confirmed"
)

// Kinds lists every notification kind a webhook may subscribe to.
var Kinds = append([]string{KindIncidentOpened, KindEscalation, KindBreach, KindRenewalReminder, KindSLAWarning, KindResolutionConfirmed}, CustomerKinds...)

func knownKind(k string) bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

// Note is one fact to tell: who hears it and what it says. The Outbox fans it out to every
// channel.
type Note struct {
	Kind       string
	IncidentID *uuid.UUID
	Recipients []uuid.UUID
	Subject    string
	Body       string
	Data       map[string]any
	// OrganizationID is the customer organisation the note is about, if any: that
	// organisation's webhooks receive it when its kind is customer-visible.
	OrganizationID *uuid.UUID
	// DedupKey names the fact, e.g. "escalation:<incident>:<level>". Every row written for the
	// note derives its key from it, so telling the same fact twice writes nothing new.
	DedupKey string
}

// Recipients finds the users notes are addressed to, inside the producer's transaction:
// where to mail them and whether they read as customers. *accounts.Store implements it.
type Recipients interface {
	// FindUsersIn returns the users among ids that exist, by ID, read in tx.
	FindUsersIn(ctx context.Context, tx dbx.Tx, ids []uuid.UUID) (map[uuid.UUID]accounts.User, error)
}

// Outbox writes notes into the notification outbox, in the producer's transaction: an inbox
// entry per recipient, an e-mail per recipient when e-mail is on, and a webhook delivery per
// matching subscription. The Deliverer sends the e-mails and webhooks afterwards. (Customers'
// notes of their incidents' timelines are the Teller's.)
type Outbox struct {
	users Recipients
	email bool
}

// NewOutbox returns the outbox writer; users finds the recipients. A nil mailer (SMTP_URL
// unset) means no e-mail rows are written: they could never be sent.
func NewOutbox(users Recipients, m *Mailer) *Outbox { return &Outbox{users: users, email: m != nil} }

// Notify writes the notes' rows in the caller's transaction tx, so they exist exactly when the
// facts are committed, and returns the IDs of the e-mail and webhook rows it newly inserted. The
// caller passes those to the delivery queue after commit (workers.EnqueueDeliveries); a lost or
// skipped hand-over only costs time, because the periodic sweep finds every pending row. Many
// notes cost the same few statements as one: a burst of escalations is told in batches.
// Errors: invalid_value (kind, dedup_key, subject, recipients) for a note that cannot be told,
// or a storage error, after which tx must be rolled back.
func (o *Outbox) Notify(ctx context.Context, tx dbx.Tx, notes ...Note) (ids []uuid.UUID, err error) {
	var all []uuid.UUID
	for _, note := range notes {
		if err := note.validate(); err != nil {
			return nil, err
		}
		all = append(all, note.Recipients...)
	}
	var users map[uuid.UUID]accounts.User
	if len(all) > 0 {
		if users, err = o.users.FindUsersIn(ctx, tx, uniqueIDs(all)); err != nil {
			return nil, err
		}
	}
	hooks := map[string][]uuid.UUID{}
	var inbox, outbox []Message
	for _, note := range notes {
		hookKey := note.Kind
		if note.OrganizationID != nil {
			hookKey += ":" + note.OrganizationID.String()
		}
		hs, ok := hooks[hookKey]
		if !ok {
			if hs, err = subscribersIn(ctx, tx, note.Kind, note.OrganizationID); err != nil {
				return nil, err
			}
			hooks[hookKey] = hs
		}
		base := Message{Kind: note.Kind, IncidentID: note.IncidentID, Subject: note.Subject, Body: note.Body, Data: note.Data}
		staffOnly := NoteAudience(note.Kind) == tickets.AudienceStaff
		for _, id := range uniqueIDs(note.Recipients) {
			u, ok := users[id]
			if !ok {
				return nil, apperr.InvalidField("recipients", "recipient %s is not a user", id)
			}
			if staffOnly && u.Role.Customer() {
				continue // SPEC §1: a customer never receives staff-only content, in any channel
			}
			addr := u.Email
			m := base
			m.RecipientID = &id
			m.Channel = ChannelInbox
			m.DedupKey = fmt.Sprintf("%s:inbox:%s", note.DedupKey, id)
			inbox = append(inbox, m)
			if o.email && addr != "" {
				m.Channel = ChannelEmail
				m.DedupKey = fmt.Sprintf("%s:email:%s", note.DedupKey, id)
				outbox = append(outbox, m)
			}
		}
		for _, h := range hs {
			m := base
			m.Channel = ChannelWebhook
			m.WebhookID = &h
			m.DedupKey = fmt.Sprintf("%s:webhook:%s", note.DedupKey, h)
			outbox = append(outbox, m)
		}
	}
	if _, err := writeMessages(ctx, tx, inbox); err != nil {
		return nil, err
	}
	return writeMessages(ctx, tx, outbox)
}

func (note Note) validate() error {
	switch {
	case strings.TrimSpace(note.Kind) == "":
		return apperr.InvalidField("kind", "a note needs a kind")
	case strings.TrimSpace(note.DedupKey) == "":
		return apperr.InvalidField("dedup_key", "a note needs a dedup key naming its fact")
	case strings.TrimSpace(note.Subject) == "":
		return apperr.InvalidField("subject", "a note needs a subject")
	}
	return nil
}

// uniqueIDs drops repeats, keeping the first occurrence's place: a user who is both the TSAM
// and a manager of the office hears of an escalation once.
func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ids))
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

package escalation

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// The notification kinds customers receive (SPEC §3a): one per customer-visible change. They are
// also the webhook event kinds an organisation subscribes to.
const (
	KindIncidentReceived            = "incident_received"
	KindIncidentAcknowledged        = "incident_acknowledged"
	KindIncidentUpdated             = "incident_updated"
	KindIncidentWaiting             = "incident_waiting"
	KindIncidentResolved            = "incident_resolved"
	KindIncidentReopened            = "incident_reopened"
	KindIncidentSeverityChanged     = "incident_severity_changed"
	KindIncidentEscalated           = "incident_escalated"
	KindIncidentResolutionConfirmed = "incident_resolution_confirmed"
)

// CustomerKinds lists the kinds of the customer notifications, in the incident's order of life.
var CustomerKinds = []string{KindIncidentReceived, KindIncidentAcknowledged, KindIncidentUpdated, KindIncidentWaiting,
	KindIncidentResolved, KindIncidentReopened, KindIncidentSeverityChanged, KindIncidentEscalated, KindIncidentResolutionConfirmed}

// tellKinds names the notification each customer-visible timeline kind is told as. It does not
// decide who reads what: the timeline's audience table does (tickets.ShowEvent), and a kind
// it makes staff-only is never told whatever this map says. A customer-visible kind missing
// here is told as an update.
var tellKinds = map[string]string{
	tickets.KindOpened:              KindIncidentReceived,
	tickets.KindAcknowledged:        KindIncidentAcknowledged,
	tickets.KindWaitStarted:         KindIncidentWaiting,
	tickets.KindResolved:            KindIncidentResolved,
	tickets.KindReopened:            KindIncidentReopened,
	tickets.KindSeverityChanged:     KindIncidentSeverityChanged,
	tickets.KindEscalated:           KindIncidentEscalated,
	tickets.KindResolutionConfirmed: KindIncidentResolutionConfirmed,
}

// foldedKinds are entries that, written in one step with another, only restate it (a reply
// ends the wait, a request escalates, an approved reclassification changes the severity): told
// as that other entry, not twice. Alone they are told as an update.
var foldedKinds = map[string]bool{tickets.KindWaitEnded: true, tickets.KindEscalationRequested: true,
	tickets.KindReclassRequested: true, tickets.KindReclassApproved: true}

// Teller writes the customer notifications of an incident's timeline entries (tickets.Teller):
// an inbox entry and, unless they turned e-mail off or their address is undeliverable, an
// e-mail to the opener, the followers and (where the organisation wants it) the members of the
// opener's groups, never to the person whose action it was; and one webhook delivery per
// subscription of the organisation (and global ones) to the kind.
type Teller struct {
	customers Audiences
	email     bool
}

// Audiences answers who of an organisation's customers hear of its incidents, and the names of
// assignees (internal/accounts owns users, organisations and groups); both read in the step's
// transaction. *accounts.Store implements it.
type Audiences interface {
	// FindReachIn answers each ask: the active customers it names, with the opener's group
	// co-members when it asks for them, each marked whether they share a group with the opener.
	FindReachIn(ctx context.Context, tx dbx.Tx, asks []accounts.ReachAsk) ([][]accounts.Reached, error)
	Recipients
}

// NewTeller returns a teller; customers finds the audiences. A nil mailer (SMTP_URL unset)
// writes no e-mail rows.
func NewTeller(customers Audiences, m *Mailer) *Teller {
	return &Teller{customers: customers, email: m != nil}
}

// told is one entry as a customer reads it, with the notification kind it is told as.
type told struct {
	event tickets.Event
	kind  string
}

// Tell writes the notifications of events (entries of inc just stored, with their IDs) in tx.
// Errors: storage errors, after which tx must be rolled back.
func (t *Teller) Tell(ctx context.Context, dtx dbx.Tx, inc tickets.Incident, events []tickets.Event) ([]uuid.UUID, error) {
	return t.TellAll(ctx, dtx, []tickets.Step{{Incident: inc, Events: events}})
}

// telling is one step's entries as its customers read them.
type telling struct {
	inc  tickets.Incident
	tell []told
}

// TellAll writes the notifications of every step's entries in tx (tickets.Teller): the
// audiences, threads and webhook subscriptions of the whole batch are read in one statement
// each, and its rows written in one multi-row statement per kind of channel (inbox, outbox).
// Errors: storage errors, after which tx must be rolled back.
func (t *Teller) TellAll(ctx context.Context, dtx dbx.Tx, steps []tickets.Step) ([]uuid.UUID, error) {
	var all []telling
	for _, st := range steps {
		if tell := toTell(st.Incident, st.Events); len(tell) > 0 {
			all = append(all, telling{inc: st.Incident, tell: tell})
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	incs := make([]tickets.Incident, len(all))
	var keys []hookKey
	for i, x := range all {
		incs[i] = x.inc
		for _, y := range x.tell {
			keys = append(keys, hookKey{kind: y.kind, org: x.inc.OrganizationID})
		}
	}
	auds, hooks, err := t.findAudiences(ctx, dtx, incs, keys, opened(steps))
	if err != nil {
		return nil, err
	}
	var inbox, outbox []Message
	for _, x := range all {
		in, out := t.messages(x, auds[x.inc.ID], hooks)
		inbox, outbox = append(inbox, in...), append(outbox, out...)
	}
	if _, err := writeMessages(ctx, dtx, inbox); err != nil {
		return nil, err
	}
	return writeMessages(ctx, dtx, outbox)
}

// toTell returns the entries of inc its customers are told of, each with its notification kind.
func toTell(inc tickets.Incident, events []tickets.Event) []told {
	var tell []told
	for _, e := range events {
		ev, ok := tickets.ShowEvent(e, tickets.AudienceCustomer)
		if !ok {
			continue // staff-only: SPEC §1, in every channel
		}
		if ev.Kind == tickets.KindEscalated && inc.Tier != string(sla.Premium) && inc.Tier != string(sla.Platinum) {
			continue // seed 003: premium and platinum customers are told of escalations
		}
		kind, ok := tellKinds[ev.Kind]
		if !ok {
			kind = KindIncidentUpdated
		}
		tell = append(tell, told{event: e, kind: kind})
	}
	if len(tell) > 1 {
		kept := tell[:0]
		for _, x := range tell {
			if !foldedKinds[x.event.Kind] {
				kept = append(kept, x)
			}
		}
		if len(kept) > 0 {
			tell = kept
		}
	}
	return tell
}

// messages returns one step's inbox rows and outbox rows (e-mail, webhook). The audience's
// threads advance with each e-mail, so a later step of the same incident answers it.
func (t *Teller) messages(x telling, aud *audience, hooks map[hookKey][]uuid.UUID) (inbox, outbox []Message) {
	inc := x.inc
	incID := inc.ID
	for _, y := range x.tell {
		ev, _ := tickets.ShowEvent(y.event, tickets.AudienceCustomer)
		key := fmt.Sprintf("tell:%d", y.event.ID)
		for _, r := range aud.people {
			if y.event.ActorID != nil && *y.event.ActorID == r.ID && y.kind != KindIncidentReceived {
				continue // they know: their own reply is not mailed back to them (an intake is confirmed)
			}
			txt := render(y.kind, ev, inc, aud, r.Language)
			data := noteData(y, ev, inc)
			id := r.ID
			inbox = append(inbox, Message{RecipientID: &id, Channel: ChannelInbox, Kind: y.kind, IncidentID: &incID,
				Subject: txt.subject, Body: txt.body, Data: data, DedupKey: fmt.Sprintf("%s:inbox:%s", key, id)})
			if !t.email || !r.Mail || r.Email == "" || answeredByMail(y, r.ID) {
				continue
			}
			msgID := uuid.Must(uuid.NewV7())
			thread := aud.thread[id]
			mailData := noteData(y, ev, inc)
			mailData["mail"] = map[string]any{"to_name": r.Name, "language": r.Language, "thread": idStrings(thread)}
			outbox = append(outbox, Message{ID: msgID, RecipientID: &id, Channel: ChannelEmail, Kind: y.kind, IncidentID: &incID,
				Subject: txt.subject, Body: txt.body, Data: mailData, DedupKey: fmt.Sprintf("%s:email:%s", key, id)})
			aud.thread[id] = lastN(append(thread, msgID), mailmsg.MaxReferences)
		}
		txt := render(y.kind, ev, inc, aud, "en")
		for _, h := range hooks[hookKey{kind: y.kind, org: inc.OrganizationID}] {
			h := h
			outbox = append(outbox, Message{Channel: ChannelWebhook, WebhookID: &h, Kind: y.kind, IncidentID: &incID,
				Subject: txt.subject, Body: txt.body, Data: noteData(y, ev, inc), DedupKey: fmt.Sprintf("%s:webhook:%s", key, h)})
		}
	}
	return inbox, outbox
}

// noteData is what every channel carries besides the text: the incident, the timeline entry
// it tells and that entry's customer fields, nothing else.
func noteData(x told, ev tickets.Event, inc tickets.Incident) map[string]any {
	return map[string]any{"reference": inc.Reference, "event_id": x.event.ID, "event_kind": ev.Kind,
		"severity": inc.Severity, "status": string(inc.Status), "fields": ev.Data}
}

func idStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

func lastN(ids []uuid.UUID, n int) []uuid.UUID {
	if len(ids) > n {
		return ids[len(ids)-n:]
	}
	return ids
}

// answeredByMail tells the receipt of an incident the recipient opened by mailing a support
// mailbox: the mail channel answers that mail itself, threaded to it (tickets/inbound), so a
// second receipt by e-mail would only repeat it. The inbox entry and webhooks stay.
func answeredByMail(x told, recipient uuid.UUID) bool {
	return x.kind == KindIncidentReceived && x.event.ActorID != nil && *x.event.ActorID == recipient &&
		fmt.Sprint(x.event.Data["channel"]) == string(tickets.ChannelEmail)
}

// opened returns the incidents that steps open: their first e-mail is being written now, so
// no thread about them exists to answer (intake asks nothing of notifications).
func opened(steps []tickets.Step) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{}
	for _, st := range steps {
		for _, e := range st.Events {
			if e.Kind == tickets.KindOpened {
				out[st.Incident.ID] = true
			}
		}
	}
	return out
}

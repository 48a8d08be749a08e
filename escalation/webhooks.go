package escalation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/netguard"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/secretbox"
	"github.com/supportd/supportd/tickets"
)

// Webhook is a subscription: every notification of the kinds in Events (all kinds when Events
// is empty) is POSTed to URL, signed with the subscription's secret. The secret is not part of
// the type, so no listing can leak it. A global subscription (no OrganizationID, admins') is
// staff audience; one of a customer organisation gets only that organisation's
// customer-visible notifications (NoteAudience).
type Webhook struct {
	ID             uuid.UUID
	Name           string
	URL            string
	Events         []string
	OrganizationID *uuid.UUID
	Active         bool
	CreatedBy      uuid.UUID
	CreatedAt      time.Time
	// SecretEncrypted: the secret is sealed at rest (SECRET_KEY); false for a secret stored
	// before a key was configured, until it is sealed (SealSecrets, or its next delivery).
	SecretEncrypted bool
}

// NewWebhook is the input of Webhooks.Create. An empty Name defaults to the URL's host; an
// empty Secret asks for a generated one.
type NewWebhook struct {
	Name   string
	URL    string
	Events []string
	Secret string
	// OrganizationID makes the subscription its organisation's (org admins: always their own).
	OrganizationID *uuid.UUID
}

// Webhooks manages webhook subscriptions: admins any (a global one receives every incident's
// details), an organisation's admins their organisation's.
type Webhooks struct {
	store *Store
	orgs  Organizations
	clock clock.Clock
	opts  WebhookOptions
}

// Organizations finds the organisation an admin's subscription names (internal/accounts owns
// them). *accounts.Store implements it.
type Organizations interface {
	// FindOrganizationByID returns the organisation, or not_found.
	FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
}

// WebhookOptions are the operator's settings for webhook subscriptions.
type WebhookOptions struct {
	// AllowPrivate lets subscriptions target loopback, private and link-local addresses
	// (WEBHOOK_ALLOW_PRIVATE, for on-premises receivers). Off, such targets are refused.
	AllowPrivate bool
	// Secrets seals signing secrets at rest (SECRET_KEY); nil stores them as given.
	Secrets *secretbox.Box
	// Resolver checks a target name's current addresses at creation; nil: the system's.
	Resolver *net.Resolver
}

// NewWebhooks returns the subscription service over store; orgs checks the organisation a new
// subscription names.
func NewWebhooks(store *Store, orgs Organizations, c clock.Clock, opts WebhookOptions) *Webhooks {
	c = clock.Required(c, "escalation.NewWebhooks")
	return &Webhooks{store: store, orgs: orgs, clock: c, opts: opts}
}

var errNotAdmin = apperr.New(apperr.Forbidden, "forbidden", "only admins and organisation admins manage webhooks")

// secretPrefix marks generated secrets, so one pasted into a config file is recognisable.
const secretPrefix = "whsec_"

// Create adds an active subscription. It returns the secret when it generated one (shown once:
// it is never returned again), "" when the caller chose it. The HMAC key is the secret's bytes.
// Errors: forbidden, not_found (organization_id), invalid_value (url, name, events, secret),
// webhook_target_forbidden (url).
func (w *Webhooks) Create(ctx context.Context, actor accounts.User, in NewWebhook) (Webhook, string, error) {
	org, err := w.owner(ctx, actor, in.OrganizationID)
	if err != nil {
		return Webhook{}, "", err
	}
	in.Name = strings.TrimSpace(in.Name)
	in.URL = strings.TrimSpace(in.URL)
	if err := checkURL(in.URL); err != nil {
		return Webhook{}, "", err
	}
	if err := checkTarget(ctx, in.URL, w.opts); err != nil {
		return Webhook{}, "", err
	}
	if in.Name == "" {
		u, _ := url.Parse(in.URL)
		in.Name = u.Host
	}
	if len(in.Name) > 200 {
		return Webhook{}, "", apperr.InvalidField("name", "name is at most 200 characters")
	}
	events, err := checkEvents(in.Events, org != nil)
	if err != nil {
		return Webhook{}, "", err
	}
	secret, generated := in.Secret, ""
	if secret == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
		secret = secretPrefix + hex.EncodeToString(b)
		generated = secret
	} else if len(secret) < 16 || len(secret) > 200 || secretbox.Sealed([]byte(secret)) {
		return Webhook{}, "", apperr.InvalidField("secret", "secret must be 16–200 characters, not starting with %s (or omitted to have one generated)", secretbox.Prefix)
	}
	h := Webhook{ID: uuid.Must(uuid.NewV7()), Name: in.Name, URL: in.URL, Events: events, OrganizationID: org, Active: true,
		CreatedBy: actor.ID, CreatedAt: w.clock.Now().UTC().Truncate(time.Microsecond), // as stored
		SecretEncrypted: w.opts.Secrets != nil}
	if err := w.store.insertWebhook(ctx, h, w.opts.Secrets.Seal([]byte(secret), secretContext(h.ID))); err != nil {
		return Webhook{}, "", err
	}
	return h, generated, nil
}

// List returns the subscriptions the caller manages (admins: all; org admins: their
// organisation's), active or not, newest first, a page at a time (see internal/page), with the
// next page's cursor (empty on the last page).
// Errors: forbidden, invalid_value (cursor, limit).
func (w *Webhooks) List(ctx context.Context, actor accounts.User, req page.Request) ([]Webhook, string, error) {
	var org *uuid.UUID
	switch actor.Role {
	case accounts.Admin:
	case accounts.OrgAdmin:
		org = actor.OrganizationID
	default:
		return nil, "", errNotAdmin
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	hooks, err := w.store.listWebhooks(ctx, org, req)
	if err != nil {
		return nil, "", err
	}
	hooks, next := page.Cut(hooks, req.Limit, func(h Webhook) page.Cursor { return page.Cursor{At: h.CreatedAt, ID: h.ID.String()} })
	return hooks, next, nil
}

// Deactivate stops a subscription: nothing new is written for it, and its pending deliveries
// are given up. Deactivating an inactive subscription changes nothing. An org admin reaches only
// their organisation's (another is not_found).
// Errors: forbidden, not_found.
func (w *Webhooks) Deactivate(ctx context.Context, actor accounts.User, id uuid.UUID) error {
	switch actor.Role {
	case accounts.Admin:
	case accounts.OrgAdmin:
		r, err := w.store.findWebhookRow(ctx, id)
		if err != nil {
			return err
		}
		if r.OrganizationID == nil || !actor.InOrganization(*r.OrganizationID) {
			return apperr.NotFoundf("webhook not found")
		}
	default:
		return errNotAdmin
	}
	return w.store.deactivateWebhook(ctx, id)
}

// owner returns the organisation a new subscription belongs to: the one an admin names (nil:
// global), an org admin's own.
func (w *Webhooks) owner(ctx context.Context, actor accounts.User, org *uuid.UUID) (*uuid.UUID, error) {
	switch actor.Role {
	case accounts.Admin:
		if org != nil {
			if _, err := w.orgs.FindOrganizationByID(ctx, *org); err != nil {
				return nil, err
			}
		}
		return org, nil
	case accounts.OrgAdmin:
		if org != nil && !actor.InOrganization(*org) {
			return nil, apperr.NotFoundf("organization not found")
		}
		return actor.OrganizationID, nil
	}
	return nil, errNotAdmin
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 {
		return apperr.InvalidField("url", "url must be an absolute http or https URL (at most 2000 characters)")
	}
	if u.User != nil {
		// Credentials in a URL end up in logs; the signature is how receivers authenticate us.
		return apperr.InvalidField("url", "url must not carry credentials; verify the signature instead")
	}
	return nil
}

// checkTarget refuses a URL whose host is, or now resolves to, a non-public address, unless the
// operator allows private targets. Deliveries check the dialled address again (netguard).
func checkTarget(ctx context.Context, raw string, opts WebhookOptions) error {
	if opts.AllowPrivate {
		return nil
	}
	u, _ := url.Parse(raw)
	err := netguard.CheckHost(ctx, opts.Resolver, u.Hostname())
	var ne *netguard.Error
	switch {
	case errors.As(err, &ne):
		return &apperr.Error{Kind: apperr.Invalid, Code: "webhook_target_forbidden", Field: "url",
			Message: "url must point at a public address: " + ne.Error() + " (an operator may allow private targets with WEBHOOK_ALLOW_PRIVATE)"}
	case err != nil:
		return apperr.InvalidField("url", "%s", err.Error())
	}
	return nil
}

// secretContext binds a sealed secret to its subscription: copied to another row it does not open.
func secretContext(id uuid.UUID) []byte { return []byte("webhook:" + id.String()) }

// SealSecrets seals every secret still stored as given (before SECRET_KEY was configured) and
// returns how many it sealed. Without a key it does nothing. Safe to run from several processes.
func (w *Webhooks) SealSecrets(ctx context.Context) (int, error) {
	if w.opts.Secrets == nil {
		return 0, nil
	}
	rows, err := w.store.findPlainSecrets(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		ok, err := w.store.resealSecret(ctx, r.ID, r.Secret, w.opts.Secrets.Seal(r.Secret, secretContext(r.ID)))
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// checkEvents returns the events without repeats; empty means every kind (for an
// organisation's subscription, every customer-visible kind). An organisation's subscription may
// name only customer-visible kinds.
func checkEvents(in []string, customer bool) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, e := range in {
		if !knownKind(e) {
			return nil, apperr.InvalidField("events", "unknown event %q; known: %s", e, strings.Join(Kinds, ", "))
		}
		if customer && NoteAudience(e) != tickets.AudienceCustomer {
			return nil, apperr.InvalidField("events", "%q notifications are for staff; an organisation's webhook may subscribe to %s",
				e, strings.Join(customerNoteKinds(), ", "))
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

package escalation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
)

// Webhook is a subscription: every notification of the kinds in Events (all kinds when Events
// is empty) is POSTed to URL, signed with the subscription's secret. The secret is not part of
// the type, so no listing can leak it.
type Webhook struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	CreatedBy uuid.UUID `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// NewWebhook is the input of Webhooks.Create. An empty Name defaults to the URL's host; an
// empty Secret asks for a generated one.
type NewWebhook struct {
	Name   string
	URL    string
	Events []string
	Secret string
}

// Webhooks manages webhook subscriptions. Only admins may: a subscription receives every
// incident's details.
type Webhooks struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewWebhooks returns the subscription service over db.
func NewWebhooks(db *gorm.DB, c clock.Clock) *Webhooks { return &Webhooks{db: db, clock: c} }

var errNotAdmin = apperr.New(apperr.Forbidden, "forbidden", "only admins manage webhooks")

// secretPrefix marks generated secrets, so one pasted into a config file is recognisable.
const secretPrefix = "whsec_"

// Create adds an active subscription. It returns the secret when it generated one (shown once:
// it is never returned again), "" when the caller chose it. The HMAC key is the secret's bytes.
// Errors: forbidden, invalid_value (url, name, events, secret).
func (w *Webhooks) Create(ctx context.Context, actor accounts.User, in NewWebhook) (Webhook, string, error) {
	if actor.Role != accounts.Admin {
		return Webhook{}, "", errNotAdmin
	}
	in.Name = strings.TrimSpace(in.Name)
	in.URL = strings.TrimSpace(in.URL)
	if err := checkURL(in.URL); err != nil {
		return Webhook{}, "", err
	}
	if in.Name == "" {
		u, _ := url.Parse(in.URL)
		in.Name = u.Host
	}
	if len(in.Name) > 200 {
		return Webhook{}, "", apperr.InvalidField("name", "name is at most 200 characters")
	}
	events, err := checkEvents(in.Events)
	if err != nil {
		return Webhook{}, "", err
	}
	secret, generated := in.Secret, ""
	if secret == "" {
		b := make([]byte, 24)
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
		secret = secretPrefix + hex.EncodeToString(b)
		generated = secret
	} else if len(secret) < 16 || len(secret) > 200 {
		return Webhook{}, "", apperr.InvalidField("secret", "secret must be 16–200 characters (or omitted to have one generated)")
	}
	h := Webhook{ID: uuid.Must(uuid.NewV7()), Name: in.Name, URL: in.URL, Events: events, Active: true,
		CreatedBy: actor.ID, CreatedAt: w.clock.Now().UTC().Truncate(time.Microsecond)} // as stored
	if err := insertWebhook(ctx, w.db, h, []byte(secret)); err != nil {
		return Webhook{}, "", err
	}
	return h, generated, nil
}

// List returns the subscriptions, active or not, newest first, a page at a time (see
// internal/page), with the next page's cursor (empty on the last page).
// Errors: forbidden, invalid_value (cursor, limit).
func (w *Webhooks) List(ctx context.Context, actor accounts.User, req page.Request) ([]Webhook, string, error) {
	if actor.Role != accounts.Admin {
		return nil, "", errNotAdmin
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	hooks, err := listWebhooks(ctx, w.db, req)
	if err != nil {
		return nil, "", err
	}
	hooks, next := page.Cut(hooks, req.Limit, func(h Webhook) page.Cursor { return page.Cursor{At: h.CreatedAt, ID: h.ID.String()} })
	return hooks, next, nil
}

// Deactivate stops a subscription: nothing new is written for it, and its pending deliveries
// are given up. Deactivating an inactive subscription changes nothing.
// Errors: forbidden, not_found.
func (w *Webhooks) Deactivate(ctx context.Context, actor accounts.User, id uuid.UUID) error {
	if actor.Role != accounts.Admin {
		return errNotAdmin
	}
	return deactivateWebhook(ctx, w.db, id)
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

// checkEvents returns the events without repeats; empty means every kind.
func checkEvents(in []string) ([]string, error) {
	out := []string{}
	seen := map[string]bool{}
	for _, e := range in {
		if !knownKind(e) {
			return nil, apperr.InvalidField("events", "unknown event %q; known: %s", e, strings.Join(Kinds, ", "))
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

package escalation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/netguard"
	"github.com/supportd/supportd/internal/secretbox"
)

// ErrNotDelivered is wrapped by Deliver's error when the send failed and the failure was
// recorded: the row is retried after a backoff, or is failed after the last attempt. Nothing
// is left for the caller to do, so a task handler need not retry it.
var ErrNotDelivered = errors.New("notification not delivered")

// DeliveryConfig tunes a Deliverer. Zero values take the defaults.
type DeliveryConfig struct {
	// Timeout bounds one send, connection included (default 10 s).
	Timeout time.Duration
	// Workers is how many destinations a sweep serves at once (default 8).
	Workers int
	// MaxAttempts is how many sends a notification gets before it is failed (default 10: with
	// the backoff below, about an hour and a half of trying).
	MaxAttempts int
	// HTTPClient posts webhooks (default: a client that does not follow redirects and, unless
	// AllowPrivate, dials only public addresses, checked after DNS resolution).
	HTTPClient *http.Client
	// AllowPrivate lets deliveries reach loopback, private and link-local addresses
	// (WEBHOOK_ALLOW_PRIVATE). Only read when HTTPClient is nil.
	AllowPrivate bool
	// Signer composes customer notifications (threaded, signed reply tokens); without it
	// customer e-mails are retried until a worker has one.
	Signer *mailmsg.Signer
	// Secrets opens sealed webhook secrets (SECRET_KEY); a plain one it finds is sealed after
	// reading. nil reads plain secrets only.
	Secrets *secretbox.Box
	// Undeliverable, when set, tells addresses a bounce reported (tickets/inbound): mail to
	// them is not sent but failed at once, since it would only bounce again.
	Undeliverable func(ctx context.Context, addr string) (bool, error)
	// Failed, when set, hears of each failed send by channel (the engine's metrics).
	Failed interface{ DeliveryFailed(channel string) }
}

// Deliverer sends pending e-mail and webhook notifications, at least once each, and records
// each delivery once.
//
// A row is claimed with a conditional UPDATE that counts the attempt and leases the row; the
// send happens with no transaction open; the outcome is a second conditional UPDATE. A crash
// between send and record leaves the lease to expire and the row is sent again; receivers drop
// the repeat by its ID (the X-Supportd-Delivery header, the e-mail's Message-ID).
type Deliverer struct {
	store    *Store
	users    Addresses
	clock    clock.Clock
	mailer   *Mailer
	webhooks WebhookSender
	cfg      DeliveryConfig
	log      *slog.Logger
	failing  *breaker
}

// Addresses finds where to mail a recipient (internal/accounts owns users). *accounts.Store
// implements it.
type Addresses interface {
	// FindUserByID returns the user, or not_found.
	FindUserByID(ctx context.Context, id uuid.UUID) (accounts.User, error)
}

// NewDeliverer returns a deliverer of store's outbox; users finds the recipients' addresses. A
// nil mailer fails e-mail rows (none are written while e-mail is off, see NewOutbox). It panics
// when c or log is nil: both are injected by the composition root, never defaulted here.
func NewDeliverer(store *Store, users Addresses, m *Mailer, c clock.Clock, log *slog.Logger, cfg DeliveryConfig) *Deliverer {
	if c == nil {
		panic("escalation.NewDeliverer: clock is required")
	}
	if log == nil {
		panic("escalation.NewDeliverer: log is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.HTTPClient == nil {
		// A redirected POST becomes a GET without the body that still answers 200: a delivery
		// recorded that nobody received. Redirects are failures; the subscription's URL is wrong.
		// The transport refuses non-public addresses at dial time, after DNS: a name registered
		// while public that now resolves inward (rebinding) is caught here.
		cfg.HTTPClient = &http.Client{Transport: netguard.Transport(cfg.AllowPrivate),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Deliverer{store: store, users: users, clock: c, mailer: m, webhooks: WebhookSender{Client: cfg.HTTPClient}, cfg: cfg, log: log,
		failing: newBreaker(time.Minute)}
}

// lease is how long a claim keeps others off a row: past the longest send and its record.
func (d *Deliverer) lease() time.Duration { return 2*d.cfg.Timeout + 30*time.Second }

// Deliver sends one notification now: the fast path, right after the producer committed. It
// does nothing (and returns nil) when the row is unknown, not an e-mail or webhook, already
// delivered or failed, waiting for a retry, or held by another worker; nor when its
// destination failed in the last minute in this process, leaving it to the sweep, so that a
// dead endpoint does not tie up one task worker per notification.
// Errors: ErrNotDelivered (wrapped with the cause) when the send failed; storage errors.
func (d *Deliverer) Deliver(ctx context.Context, id uuid.UUID) error {
	r, err := d.store.findOutboxRow(ctx, id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	now := d.clock.Now()
	if r.State != statePending || (r.Attempts > 0 && r.NextAttemptAt.After(now)) {
		return nil
	}
	if d.failing.open(destination(r.Channel, r.WebhookID), now) {
		return nil
	}
	_, err = d.attempt(ctx, id, now)
	return err
}

// attempt claims the row at now, sends it and records the outcome. delivered is false, with a
// nil error, when another worker holds the row or it is not due.
func (d *Deliverer) attempt(ctx context.Context, id uuid.UUID, now time.Time) (delivered bool, err error) {
	r, ok, err := d.store.claim(ctx, id, now, now.Add(d.lease()))
	if err != nil || !ok {
		return false, err
	}
	sctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	sendErr := d.send(sctx, r)
	cancel()

	// The send happened (or not) whatever becomes of ctx now: record it regardless, or a
	// shutdown between the two would send the message again.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	at := d.clock.Now()
	dest := destination(r.Channel, r.WebhookID)
	if sendErr == nil {
		d.failing.reset(dest)
		if err := d.store.markDelivered(rctx, r.ID, at); err != nil {
			return false, fmt.Errorf("record delivery of notification %s: %w", r.ID, err)
		}
		return true, nil
	}
	var perm permanentError
	permanent := errors.As(sendErr, &perm)
	final := permanent || r.Attempts >= d.cfg.MaxAttempts
	if !permanent {
		d.failing.trip(dest, at) // the row is fine; its endpoint is not
	}
	next := at.Add(retryDelay(r.Attempts, jitter()))
	if err := d.store.markFailed(rctx, r.ID, r.Attempts, truncate(sendErr.Error(), 1000), next, final); err != nil {
		return false, fmt.Errorf("record failure of notification %s: %w", r.ID, err)
	}
	if d.cfg.Failed != nil {
		d.cfg.Failed.DeliveryFailed(string(r.Channel))
	}
	level := slog.LevelWarn
	if final {
		level = slog.LevelError
	}
	d.log.Log(ctx, level, "notification not delivered", "id", r.ID, "channel", r.Channel, "attempt", r.Attempts,
		"final", final, "error", sendErr)
	return false, fmt.Errorf("notification %s attempt %d: %w: %w", r.ID, r.Attempts, ErrNotDelivered, sendErr)
}

// permanentError is a send that can never succeed: retrying it would only delay the record.
type permanentError struct{ error }

func (d *Deliverer) send(ctx context.Context, r notificationRow) error {
	switch Channel(r.Channel) {
	case ChannelEmail:
		return d.sendEmail(ctx, r)
	case ChannelWebhook:
		return d.sendWebhook(ctx, r)
	}
	return permanentError{fmt.Errorf("channel %q is not sent", r.Channel)}
}

func (d *Deliverer) sendEmail(ctx context.Context, r notificationRow) error {
	if d.mailer == nil {
		return errors.New("e-mail is not configured (SMTP_URL) in this worker")
	}
	if r.RecipientID == nil {
		return permanentError{errors.New("e-mail without recipient")}
	}
	u, err := d.users.FindUserByID(ctx, *r.RecipientID)
	to := u.Email
	if isNotFound(err) || (err == nil && to == "") {
		return permanentError{fmt.Errorf("recipient %s has no e-mail address", *r.RecipientID)}
	}
	if err != nil {
		return err
	}
	if d.cfg.Undeliverable != nil {
		bad, err := d.cfg.Undeliverable(ctx, to)
		if err != nil {
			return err
		}
		if bad {
			return permanentError{fmt.Errorf("%s is marked undeliverable (a bounce); not sent", to)}
		}
	}
	if meta, ok := r.Data["mail"].(map[string]any); ok {
		return d.sendCustomerEmail(ctx, r, to, meta)
	}
	return d.mailer.Send(ctx, Email{To: to, Subject: r.Subject, Body: r.Body, MessageID: r.ID.String()}, d.clock.Now())
}

// WebhookEvent is the JSON body of a webhook delivery. ID is the notification's: the same in
// every attempt, and in the X-Supportd-Delivery header.
type WebhookEvent struct {
	ID         uuid.UUID      `json:"id"`
	Kind       string         `json:"kind"`
	IncidentID *uuid.UUID     `json:"incident_id"`
	Subject    string         `json:"subject"`
	Body       string         `json:"body"`
	Data       map[string]any `json:"data"`
	CreatedAt  time.Time      `json:"created_at"`
}

func (d *Deliverer) sendWebhook(ctx context.Context, r notificationRow) error {
	if r.WebhookID == nil {
		return permanentError{errors.New("webhook notification without subscription")}
	}
	h, err := d.store.findWebhookRow(ctx, *r.WebhookID)
	if isNotFound(err) || (err == nil && !h.Active) {
		return permanentError{fmt.Errorf("webhook %s is deactivated", *r.WebhookID)}
	}
	if err != nil {
		return err
	}
	secret, err := d.cfg.Secrets.Open(h.Secret, secretContext(h.ID))
	if err != nil {
		// SECRET_KEY missing or changed: retried, so that fixing the configuration recovers.
		return fmt.Errorf("webhook %s secret: %w", h.ID, err)
	}
	if d.cfg.Secrets != nil && !secretbox.Sealed(h.Secret) {
		if _, err := d.store.resealSecret(ctx, h.ID, h.Secret, d.cfg.Secrets.Seal(secret, secretContext(h.ID))); err != nil {
			d.log.Warn("sealing a webhook secret", "webhook", h.ID, "error", err)
		}
	}
	data := r.Data
	if data == nil {
		data = map[string]any{}
	}
	body, err := json.Marshal(WebhookEvent{ID: r.ID, Kind: r.Kind, IncidentID: r.IncidentID, Subject: r.Subject,
		Body: r.Body, Data: data, CreatedAt: r.CreatedAt.UTC()})
	if err != nil {
		return permanentError{err}
	}
	err = d.webhooks.Send(ctx, h.URL, secret, r.ID.String(), body, d.clock.Now())
	var ne *netguard.Error
	if errors.As(err, &ne) {
		return permanentError{fmt.Errorf("webhook %s refused: %w", h.ID, err)}
	}
	return err
}

// destination names where a row goes, so failures are remembered per endpoint: one SMTP
// server, one URL per subscription.
func destination(channel string, webhookID *uuid.UUID) string {
	if webhookID != nil {
		return "webhook:" + webhookID.String()
	}
	return channel
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

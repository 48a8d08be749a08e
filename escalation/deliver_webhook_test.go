package escalation_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/clock"
)

// endpoint is a webhook receiver that checks each request's signature and answers with the
// status status(n) for its n-th request (1-based).
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	requests []hit
}

type hit struct {
	at       time.Time
	delivery string
	event    escalation.WebhookEvent
	signed   bool
}

func newEndpoint(t *testing.T, secret func() []byte, c clock.Clock, status func(n int) int) *endpoint {
	t.Helper()
	e := &endpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(escalation.HeaderTimestamp), 10, 64)
		h := hit{at: time.Now(), delivery: r.Header.Get(escalation.HeaderDelivery),
			signed: escalation.Sign(secret(), ts, body) == r.Header.Get(escalation.HeaderSignature) && c.Now().Sub(time.Unix(ts, 0)) <= 5*time.Minute}
		if err := json.Unmarshal(body, &h.event); err != nil {
			t.Errorf("webhook body %q: %v", body, err)
		}
		e.mu.Lock()
		e.requests = append(e.requests, h)
		n := len(e.requests)
		e.mu.Unlock()
		w.WriteHeader(status(n))
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) hits() []hit {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]hit(nil), e.requests...)
}

func always(code int) func(int) int { return func(int) int { return code } }

// TestWebhookSignedAndDeliveredOnce: the receiver can verify the signature and match the
// delivery header to the body's ID, and duplicate tasks and later sweeps send nothing more.
func TestWebhookSignedAndDeliveredOnce(t *testing.T) {
	f := newFixture(t, 1)
	var secret []byte
	ep := newEndpoint(t, func() []byte { return secret }, f.clock, always(http.StatusNoContent))
	hook, s := f.webhook(t, ep.URL, escalation.KindBreach)
	secret = s
	ids := f.notify(t, escalation.NewOutbox(f.acc, nil), escalation.Note{Kind: escalation.KindBreach,
		Recipients: []uuid.UUID{f.users[0].ID}, Subject: "First response breached", Body: "INC-9",
		Data: map[string]any{"target": "first_response"}, DedupKey: f.key("breach")})
	if len(ids) != 1 {
		t.Fatalf("outbox rows = %v, want one webhook", ids)
	}
	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	for i := 0; i < 3; i++ {
		if err := d.Deliver(f.ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := d.Sweep(f.ctx, f.clock.Advance(time.Hour), 100); err != nil || n != 0 {
		t.Errorf("sweep after delivery = %d, %v; want nothing to do", n, err)
	}
	hits := ep.hits()
	if len(hits) != 1 {
		t.Fatalf("requests = %d, want 1", len(hits))
	}
	h := hits[0]
	if !h.signed {
		t.Error("signature does not verify with the subscription's secret")
	}
	if h.delivery != ids[0].String() || h.event.ID != ids[0] {
		t.Errorf("delivery header %q, body id %s; want both %s", h.delivery, h.event.ID, ids[0])
	}
	if h.event.Kind != escalation.KindBreach || h.event.Subject != "First response breached" || h.event.Data["target"] != "first_response" {
		t.Errorf("event = %+v", h.event)
	}
	if r := f.row(t, ids[0]); r.State != "delivered" || *r.WebhookID != hook.ID {
		t.Errorf("row = %+v, want delivered to %s", r, hook.ID)
	}
}

// TestWebhookRetriedWithBackoff: an endpoint that fails twice is tried again after about 10 s,
// then about 20 s, not sooner, and delivered once on the third attempt.
func TestWebhookRetriedWithBackoff(t *testing.T) {
	f := newFixture(t, 1)
	var secret []byte
	ep := newEndpoint(t, func() []byte { return secret }, f.clock, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	_, secret = f.webhook(t, ep.URL)
	ids := f.notify(t, escalation.NewOutbox(f.acc, nil), escalation.Note{Kind: escalation.KindEscalation,
		Subject: "INC-3 escalated", DedupKey: f.key("escalation")})
	id := ids[0]
	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	t0 := f.clock.Now()

	sweep := func(at time.Time, wantDelivered int) {
		t.Helper()
		f.clock.Set(at)
		n, err := d.Sweep(f.ctx, at, 100)
		if err != nil || n != wantDelivered {
			t.Fatalf("sweep at +%v = %d, %v; want %d delivered", at.Sub(t0), n, err, wantDelivered)
		}
	}
	sweep(t0, 0)
	r := f.row(t, id)
	if r.State != "pending" || r.Attempts != 1 || r.LastError == "" {
		t.Fatalf("after first failure: %+v", r)
	}
	if wait := r.NextAttemptAt.Sub(t0); wait < 8*time.Second || wait > 12*time.Second {
		t.Errorf("first retry after %v, want 10 s ± 20%%", wait)
	}
	// The fast path does not jump the backoff either.
	f.clock.Set(t0.Add(time.Second))
	if err := d.Deliver(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	sweep(t0.Add(7*time.Second), 0)
	if got := len(ep.hits()); got != 1 {
		t.Fatalf("requests before the backoff passed = %d, want 1", got)
	}
	t1 := t0.Add(13 * time.Second)
	sweep(t1, 0)
	r = f.row(t, id)
	if wait := r.NextAttemptAt.Sub(t1); r.Attempts != 2 || wait < 16*time.Second || wait > 24*time.Second {
		t.Errorf("after second failure: attempts %d, retry after %v; want 2, 20 s ± 20%%", r.Attempts, wait)
	}
	sweep(t1.Add(25*time.Second), 1)
	sweep(t1.Add(2*time.Hour), 0)
	if got := len(ep.hits()); got != 3 {
		t.Errorf("requests = %d, want 3", got)
	}
	if r := f.row(t, id); r.State != "delivered" || r.Attempts != 3 || r.LastError != "" {
		t.Errorf("row = %+v, want delivered on attempt 3", r)
	}
}

// TestDeadEndpointDoesNotBlockOthers: an endpoint that never answers holds one sweep worker
// until the timeout; the healthy endpoint's deliveries in the same sweep land at once.
func TestDeadEndpointDoesNotBlockOthers(t *testing.T) {
	f := newFixture(t, 1)
	const timeout = 3 * time.Second
	release := make(chan struct{})
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(dead.Close)
	t.Cleanup(func() { close(release) })
	var secret []byte
	healthy := newEndpoint(t, func() []byte { return secret }, f.clock, always(http.StatusOK))
	deadHook, _ := f.webhook(t, dead.URL)
	_, secret = f.webhook(t, healthy.URL)
	for i := 0; i < 3; i++ {
		f.notify(t, escalation.NewOutbox(f.acc, nil), escalation.Note{Kind: escalation.KindEscalation,
			Subject: "INC escalated", DedupKey: f.key("escalation", strconv.Itoa(i))})
	}
	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{Timeout: timeout, AllowPrivate: true})

	start := time.Now()
	n, err := d.Sweep(f.ctx, f.clock.Now(), 100)
	elapsed := time.Since(start)
	if err != nil || n != 3 {
		t.Fatalf("sweep = %d, %v; want the healthy endpoint's 3 delivered", n, err)
	}
	hits := healthy.hits()
	if len(hits) != 3 {
		t.Fatalf("healthy endpoint got %d requests, want 3", len(hits))
	}
	for _, h := range hits {
		if lag := h.at.Sub(start); lag > timeout/3 {
			t.Errorf("healthy delivery %v after the sweep began: held up by the dead endpoint", lag)
		}
	}
	if elapsed < timeout || elapsed > 2*timeout {
		t.Errorf("sweep took %v, want one timeout (%v) for the dead endpoint", elapsed, timeout)
	}
	var deadRows []outboxRow
	f.db.Table("notifications").Where("webhook_id = ?", deadHook.ID).Order("attempts DESC").Find(&deadRows)
	if len(deadRows) != 3 || deadRows[0].Attempts != 1 || deadRows[0].State != "pending" || deadRows[0].LastError == "" ||
		deadRows[1].Attempts != 0 || deadRows[2].Attempts != 0 {
		t.Errorf("dead endpoint rows = %+v, want one failed attempt and two left for later", deadRows)
	}
}

// TestWebhookFailedAfterAttemptLimit: an endpoint that always fails gets ten attempts, then the
// notification is failed and never tried again.
func TestWebhookFailedAfterAttemptLimit(t *testing.T) {
	f := newFixture(t, 1)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	f.webhook(t, srv.URL)
	ids := f.notify(t, escalation.NewOutbox(f.acc, nil), escalation.Note{Kind: escalation.KindEscalation,
		Subject: "INC escalated", DedupKey: f.key("escalation")})
	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	for i := 0; i < 12; i++ {
		if _, err := d.Sweep(f.ctx, f.clock.Now(), 100); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Hour) // past any backoff
	}
	if got := calls.Load(); got != 10 {
		t.Errorf("attempts = %d, want 10", got)
	}
	if r := f.row(t, ids[0]); r.State != "failed" || r.Attempts != 10 || r.LastError == "" {
		t.Errorf("row = %+v, want failed after 10 attempts", r)
	}
}

// TestDeactivatedWebhookStops: deactivating a subscription gives up its pending deliveries and
// writes none for it later.
func TestDeactivatedWebhookStops(t *testing.T) {
	f := newFixture(t, 1)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	t.Cleanup(srv.Close)
	hook, _ := f.webhook(t, srv.URL)
	n := escalation.NewOutbox(f.acc, nil)
	ids := f.notify(t, n, escalation.Note{Kind: escalation.KindEscalation, Subject: "s", DedupKey: f.key("escalation", "1")})
	if err := f.hooks.Deactivate(f.ctx, f.admin, hook.ID); err != nil {
		t.Fatal(err)
	}
	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	if err := d.Deliver(f.ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if r := f.row(t, ids[0]); r.State != "failed" || r.LastError != "webhook deactivated" {
		t.Errorf("row = %+v, want failed as deactivated", r)
	}
	if later := f.notify(t, n, escalation.Note{Kind: escalation.KindEscalation, Subject: "s", DedupKey: f.key("escalation", "2")}); len(later) != 0 {
		t.Errorf("rows written for a deactivated webhook: %v", later)
	}
	if calls.Load() != 0 {
		t.Errorf("deactivated endpoint called %d times", calls.Load())
	}
}

// TestFastPathLeavesFailingEndpointToSweep: after a failed send, the fast path does not tie up
// a task worker on the same endpoint again; the sweep delivers once the endpoint is back.
func TestFastPathLeavesFailingEndpointToSweep(t *testing.T) {
	f := newFixture(t, 1)
	var secret []byte
	ep := newEndpoint(t, func() []byte { return secret }, f.clock, func(n int) int {
		if n == 1 {
			return http.StatusBadGateway
		}
		return http.StatusOK
	})
	_, secret = f.webhook(t, ep.URL)
	n := escalation.NewOutbox(f.acc, nil)
	first := f.notify(t, n, escalation.Note{Kind: escalation.KindEscalation, Subject: "1", DedupKey: f.key("escalation", "1")})
	second := f.notify(t, n, escalation.Note{Kind: escalation.KindEscalation, Subject: "2", DedupKey: f.key("escalation", "2")})
	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	if err := d.Deliver(f.ctx, first[0]); !errors.Is(err, escalation.ErrNotDelivered) {
		t.Fatalf("first delivery: %v, want ErrNotDelivered", err)
	}
	if err := d.Deliver(f.ctx, second[0]); err != nil {
		t.Fatal(err)
	}
	if got := len(ep.hits()); got != 1 {
		t.Fatalf("requests = %d, want 1: the fast path should have left the second to the sweep", got)
	}
	if r := f.row(t, second[0]); r.State != "pending" || r.Attempts != 0 {
		t.Errorf("second row = %+v, want pending and untried", r)
	}
	if n, err := d.Sweep(f.ctx, f.clock.Now(), 100); err != nil || n != 1 {
		t.Errorf("sweep = %d, %v; want the second delivered", n, err)
	}
	if n, err := d.Sweep(f.ctx, f.clock.Advance(time.Minute), 100); err != nil || n != 1 {
		t.Errorf("sweep after the backoff = %d, %v; want the first delivered", n, err)
	}
}

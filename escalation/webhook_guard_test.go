package escalation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/secretbox"
	"github.com/supportd/supportd/internal/testenv"
)

// TestWebhookTargetsRefusedAtCreation: every spelling of an internal address is refused with 422
// webhook_target_forbidden naming url, unless the operator allows private targets; public
// addresses pass.
func TestWebhookTargetsRefusedAtCreation(t *testing.T) {
	f := newFixture(t, 0)
	strict := escalation.NewWebhooks(f.store, f.acc, f.clock, escalation.WebhookOptions{})
	onPrem := escalation.NewWebhooks(f.store, f.acc, f.clock, escalation.WebhookOptions{AllowPrivate: true})
	for _, u := range []string{
		"http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://017700000001/",
		"http://0177.0.0.1/", "http://0x7f.1/", "http://127.0.0.1./", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
		"http://[::1]/", "http://0.0.0.0/", "http://0/", "http://[::]/", "http://localhost/", "http://LOCALHOST:8080/",
		"http://api.localhost/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
		"http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://[fd00::1]/", "http://100.64.0.1/",
		"http://224.0.0.1/", "http://[ff02::1]/", "http://255.255.255.255/", "http://[64:ff9b::7f00:1]/", "http://[2002:a00:1::]/",
		"https://0xa9fea9fe/", "http://0251.0376.0251.0376/",
	} {
		_, _, err := strict.Create(f.ctx, f.admin, escalation.NewWebhook{URL: u})
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != "webhook_target_forbidden" || ae.Field != "url" || apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: %v, want 422 webhook_target_forbidden on url", u, err)
		}
	}
	for _, u := range []string{"http://127.1:9/", "http://10.1.2.3/hook", "http://[::1]:8080/"} {
		if _, _, err := onPrem.Create(f.ctx, f.admin, escalation.NewWebhook{URL: u}); err != nil {
			t.Errorf("%s with WEBHOOK_ALLOW_PRIVATE: %v", u, err)
		}
	}
	for _, u := range []string{"https://93.184.215.14/hook", "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", "https://hooks.example.test/x"} {
		if _, _, err := strict.Create(f.ctx, f.admin, escalation.NewWebhook{URL: u}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"http://1.2.3.4.5/", "http://256.1/", "http://0x1ffffffff/", "http://08.1.1.1/"} {
		if _, _, err := strict.Create(f.ctx, f.admin, escalation.NewWebhook{URL: u}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s (no host name, no address): %v", u, err)
		}
	}
}

// TestWebhookDialRefusesInternalAddresses: a subscription whose name now resolves to 127.0.0.1
// ("localhost" stands for a rebinding name that was public at creation) gets no request: the
// dial is refused after resolution and the delivery failed for good. With the operator's switch
// the same delivery goes through.
func TestWebhookDialRefusesInternalAddresses(t *testing.T) {
	f := newFixture(t, 1)
	var secret []byte
	ep := newEndpoint(t, func() []byte { return secret }, f.clock, always(http.StatusOK))
	target := strings.Replace(ep.URL, "127.0.0.1", "localhost", 1)
	hook, s := f.webhook(t, target) // registered while allowed
	secret = s
	note := escalation.Note{Kind: escalation.KindEscalation, Subject: "INC-7 escalated", DedupKey: f.key("escalation", "dial")}
	ids := f.notify(t, escalation.NewOutbox(f.acc, nil), note)
	if len(ids) != 1 {
		t.Fatalf("outbox rows %v", ids)
	}
	strict := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{})
	if err := strict.Deliver(f.ctx, ids[0]); !errors.Is(err, escalation.ErrNotDelivered) || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("delivery to a name resolving to loopback: %v", err)
	}
	if n := len(ep.hits()); n != 0 {
		t.Fatalf("the internal endpoint got %d requests", n)
	}
	if r := f.row(t, ids[0]); r.State != "failed" || !strings.Contains(r.LastError, "127.0.0.1") {
		t.Fatalf("row %+v, want failed for good naming the address", r)
	}
	note.DedupKey = f.key("escalation", "dial-allowed")
	ids = f.notify(t, escalation.NewOutbox(f.acc, nil), note)
	onPrem := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	if err := onPrem.Deliver(f.ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if hits := ep.hits(); len(hits) != 1 || !hits[0].signed {
		t.Fatalf("with WEBHOOK_ALLOW_PRIVATE: %+v", hits)
	}
	_ = hook
}

// TestWebhookSecretSealedAtRest: with a key, the stored secret is sealed (the row holds no trace
// of it) and deliveries are still signed with the secret shown at creation; a secret stored
// before the key existed still signs, and is sealed by its first delivery or by SealSecrets.
func TestWebhookSecretSealedAtRest(t *testing.T) {
	f := newFixture(t, 1)
	box, err := secretbox.New(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := escalation.NewWebhooks(f.store, f.acc, f.clock, escalation.WebhookOptions{AllowPrivate: true, Secrets: box})
	legacyHooks := escalation.NewWebhooks(f.store, f.acc, f.clock, escalation.WebhookOptions{AllowPrivate: true})
	raw := func(id uuid.UUID) []byte {
		var b []byte
		if err := f.db.Raw("SELECT secret FROM webhooks WHERE id = ?", id).Row().Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	secrets := map[uuid.UUID][]byte{}
	var current []byte
	ep := newEndpoint(t, func() []byte { return current }, f.clock, always(http.StatusOK))

	h, s, err := sealed.Create(f.ctx, f.admin, escalation.NewWebhook{URL: ep.URL})
	if err != nil || s == "" || !h.SecretEncrypted {
		t.Fatalf("create: %+v %q %v", h, s, err)
	}
	secrets[h.ID] = []byte(s)
	if stored := raw(h.ID); !secretbox.Sealed(stored) || bytes.Contains(stored, []byte(s)) || bytes.Contains(stored, []byte(s[len(s)-12:])) {
		t.Fatalf("stored secret %q holds the plain one", stored)
	}
	chosen := "legacy-secret-0123456789"
	old, _, err := legacyHooks.Create(f.ctx, f.admin, escalation.NewWebhook{URL: ep.URL, Secret: chosen})
	if err != nil || old.SecretEncrypted || string(raw(old.ID)) != chosen {
		t.Fatalf("legacy create: %+v %v", old, err)
	}
	secrets[old.ID] = []byte(chosen)

	d := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true, Secrets: box})
	for _, hook := range []escalation.Webhook{h, old} {
		if err := legacyHooks.Deactivate(f.ctx, f.admin, otherOf(hook, h, old).ID); err != nil {
			t.Fatal(err)
		}
		current = secrets[hook.ID]
		ids := f.notify(t, escalation.NewOutbox(f.acc, nil), escalation.Note{Kind: escalation.KindBreach, Subject: "missed",
			DedupKey: f.key("breach", hook.ID.String())})
		if len(ids) != 1 {
			t.Fatalf("outbox rows %v", ids)
		}
		if err := d.Deliver(f.ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		hits := ep.hits()
		if last := hits[len(hits)-1]; !last.signed || last.event.ID != ids[0] {
			t.Fatalf("delivery for %s not signed with its secret", hook.Name)
		}
		f.db.Exec("UPDATE webhooks SET active = true WHERE id IN ?", []uuid.UUID{h.ID, old.ID})
	}
	if stored := raw(old.ID); !secretbox.Sealed(stored) || bytes.Contains(stored, []byte(chosen)) {
		t.Fatalf("the legacy secret was not sealed on delivery: %q", stored)
	}
	list, _, err := sealed.List(f.ctx, f.admin, page.Request{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range list {
		if (w.ID == h.ID || w.ID == old.ID) && !w.SecretEncrypted {
			t.Errorf("%s listed as not encrypted", w.ID)
		}
	}
	// Without the key a sealed secret does not sign anything: the delivery fails, it is not sent
	// with a wrong signature.
	current = secrets[h.ID]
	f.db.Exec("UPDATE webhooks SET active = false WHERE id = ?", old.ID)
	ids := f.notify(t, escalation.NewOutbox(f.acc, nil), escalation.Note{Kind: escalation.KindBreach, Subject: "missed", DedupKey: f.key("breach", "nokey")})
	before := len(ep.hits())
	nokey := escalation.NewDeliverer(f.store, f.acc, nil, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true})
	if err := nokey.Deliver(f.ctx, ids[0]); !errors.Is(err, escalation.ErrNotDelivered) || !errors.Is(err, secretbox.ErrNoKey) {
		t.Fatalf("delivery without the key: %v", err)
	}
	if len(ep.hits()) != before {
		t.Fatal("sent without the key")
	}
}

func otherOf(hook, a, b escalation.Webhook) escalation.Webhook {
	if hook.ID == a.ID {
		return b
	}
	return a
}

// TestSealSecretsSealsLegacyRows: once a key is configured, SealSecrets seals every secret stored
// as given, and each still opens to the same secret for its own row only. Its own database:
// SealSecrets touches every subscription.
func TestSealSecretsSealsLegacyRows(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	c := clock.NewFake(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "seal-test-admin-token-000")
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(bytes.Repeat([]byte{0x33}, 32))
	if err != nil {
		t.Fatal(err)
	}
	legacy := escalation.NewWebhooks(escalation.NewStore(db), acc, c, escalation.WebhookOptions{AllowPrivate: true})
	plain := map[uuid.UUID]string{}
	for i := 0; i < 3; i++ {
		secret := fmt.Sprintf("legacy-secret-%d-0123456789", i)
		h, _, err := legacy.Create(ctx, admin, escalation.NewWebhook{URL: "https://hooks.example.test/legacy", Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		plain[h.ID] = secret
	}
	sealer := escalation.NewWebhooks(escalation.NewStore(db), acc, c, escalation.WebhookOptions{Secrets: box})
	if n, err := sealer.SealSecrets(ctx); err != nil || n != 3 {
		t.Fatalf("SealSecrets: %d %v, want 3", n, err)
	}
	if n, err := sealer.SealSecrets(ctx); err != nil || n != 0 {
		t.Fatalf("second SealSecrets: %d %v, want nothing left", n, err)
	}
	for id, secret := range plain {
		var stored []byte
		if err := db.Raw("SELECT secret FROM webhooks WHERE id = ?", id).Row().Scan(&stored); err != nil {
			t.Fatal(err)
		}
		got, err := box.Open(stored, []byte("webhook:"+id.String()))
		if !secretbox.Sealed(stored) || err != nil || string(got) != secret {
			t.Fatalf("%s stored %q opens to %q %v", id, stored, got, err)
		}
		if _, err := box.Open(stored, []byte("webhook:"+uuid.NewString())); err == nil {
			t.Fatal("a sealed secret opens for another subscription")
		}
	}
}

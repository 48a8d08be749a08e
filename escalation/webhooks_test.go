package escalation_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

func TestWebhookSubscriptions(t *testing.T) {
	f := newFixture(t, 1)
	manager := f.users[0]

	if _, _, err := f.hooks.Create(f.ctx, manager, escalation.NewWebhook{Name: "x", URL: "https://a.example.test"}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("create by a manager: %v, want forbidden", err)
	}
	if _, _, err := f.hooks.List(f.ctx, manager, page.Request{}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("list by a manager: %v, want forbidden", err)
	}
	invalid := []struct {
		field string
		in    escalation.NewWebhook
	}{
		{"name", escalation.NewWebhook{Name: strings.Repeat("n", 201), URL: "https://a.example.test"}},
		{"url", escalation.NewWebhook{Name: "x", URL: "ftp://a.example.test"}},
		{"url", escalation.NewWebhook{Name: "x", URL: "/relative"}},
		{"url", escalation.NewWebhook{Name: "x", URL: "https://user:pw@a.example.test"}},
		{"events", escalation.NewWebhook{Name: "x", URL: "https://a.example.test", Events: []string{"escalation", "nope"}}},
		{"secret", escalation.NewWebhook{Name: "x", URL: "https://a.example.test", Secret: "short"}},
	}
	for _, c := range invalid {
		_, _, err := f.hooks.Create(f.ctx, f.admin, c.in)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.Invalid || ae.Field != c.field {
			t.Errorf("create %+v: %v, want invalid %s", c.in, err, c.field)
		}
	}

	gen, secret, err := f.hooks.Create(f.ctx, f.admin, escalation.NewWebhook{Name: "Ops", URL: "https://ops.example.test/hook",
		Events: []string{"escalation", "breach", "escalation"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
		t.Errorf("generated secret %q", secret)
	}
	if strings.Join(gen.Events, ",") != "escalation,breach" || !gen.Active || gen.CreatedBy != f.admin.ID {
		t.Errorf("created %+v", gen)
	}
	own, shown, err := f.hooks.Create(f.ctx, f.admin, escalation.NewWebhook{URL: "http://127.0.0.1:9/x", Secret: "a-secret-of-my-choosing"})
	if err != nil || shown != "" || own.Name != "127.0.0.1:9" {
		t.Fatalf("create with own secret and no name: %+v, %q, %v; want named after the host, no secret echoed", own, shown, err)
	}

	if err := f.hooks.Deactivate(f.ctx, f.admin, own.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.hooks.Deactivate(f.ctx, f.admin, own.ID); err != nil {
		t.Errorf("deactivating twice: %v", err)
	}
	if err := f.hooks.Deactivate(f.ctx, f.admin, uuid.New()); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("deactivating an unknown webhook: %v, want not_found", err)
	}
	if err := f.hooks.Deactivate(f.ctx, manager, gen.ID); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("deactivate by a manager: %v, want forbidden", err)
	}

	list, _, err := f.hooks.List(f.ctx, f.admin, page.Request{})
	if err != nil {
		t.Fatal(err)
	}
	active := map[uuid.UUID]bool{}
	for _, h := range list {
		active[h.ID] = h.Active
	}
	if a, ok := active[gen.ID]; !ok || !a {
		t.Errorf("listed %+v: want %s active", list, gen.ID)
	}
	if a, ok := active[own.ID]; !ok || a {
		t.Errorf("listed %+v: want %s inactive", list, own.ID)
	}
	out, _ := json.Marshal(list)
	if strings.Contains(string(out), secret) || strings.Contains(string(out), "a-secret-of-my-choosing") || strings.Contains(string(out), "secret") {
		t.Errorf("listing shows a secret: %s", out)
	}
}

package escalation_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// TestOrganisationWebhooks: an organisation's admins manage their organisation's subscriptions
// only; such a subscription receives the customer-visible notes of its organisation (a renewal
// reminder) and no staff note (escalation, breach, a new incident), while a global one
// receives everything.
func TestOrganisationWebhooks(t *testing.T) {
	f := newFixture(t, 1)
	acc := accounts.NewStore(f.db, f.clock)
	mkOrg := func(name string) (accounts.Organization, accounts.User, accounts.User) {
		o, err := acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: name + " " + f.run, Office: "tokyo"})
		if err != nil {
			t.Fatal(err)
		}
		oa, err := acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: f.run + "-" + name + "-oa@example.test", Name: "OA", Role: accounts.OrgAdmin, OrganizationID: &o.ID})
		if err != nil {
			t.Fatal(err)
		}
		m, err := acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: f.run + "-" + name + "-m@example.test", Name: "M", Role: accounts.Member, OrganizationID: &o.ID})
		if err != nil {
			t.Fatal(err)
		}
		return o, oa, m
	}
	orgA, adminA, memberA := mkOrg("A")
	orgB, adminB, _ := mkOrg("B")

	hookA, _, err := f.hooks.Create(f.ctx, adminA, escalation.NewWebhook{URL: "https://a.example.test/hook"})
	if err != nil || hookA.OrganizationID == nil || *hookA.OrganizationID != orgA.ID {
		t.Fatalf("org admin's webhook: %+v %v", hookA, err)
	}
	if _, _, err := f.hooks.Create(f.ctx, adminA, escalation.NewWebhook{URL: "https://a.example.test/b", OrganizationID: &orgB.ID}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("org admin subscribes for another organisation: %v", err)
	}
	var ae *apperr.Error
	if _, _, err := f.hooks.Create(f.ctx, adminA, escalation.NewWebhook{URL: "https://a.example.test/e", Events: []string{escalation.KindEscalation}}); !errors.As(err, &ae) || ae.Field != "events" {
		t.Errorf("org admin subscribes to staff notes: %v", err)
	}
	if _, _, err := f.hooks.Create(f.ctx, memberA, escalation.NewWebhook{URL: "https://a.example.test/m"}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("member subscribes: %v", err)
	}
	unknown := uuid.New()
	if _, _, err := f.hooks.Create(f.ctx, f.admin, escalation.NewWebhook{URL: "https://a.example.test/u", OrganizationID: &unknown}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("admin subscribes for an unknown organisation: %v", err)
	}
	hookB, _, err := f.hooks.Create(f.ctx, f.admin, escalation.NewWebhook{URL: "https://b.example.test/hook", OrganizationID: &orgB.ID})
	if err != nil {
		t.Fatal(err)
	}
	global, _, err := f.hooks.Create(f.ctx, f.admin, escalation.NewWebhook{URL: "https://ops.example.test/hook"})
	if err != nil || global.OrganizationID != nil {
		t.Fatalf("global webhook: %+v %v", global, err)
	}

	list, _, err := f.hooks.List(f.ctx, adminA, page.Request{})
	if err != nil || len(list) != 1 || list[0].ID != hookA.ID {
		t.Errorf("org admin lists %+v %v, want only their organisation's", list, err)
	}
	if err := f.hooks.Deactivate(f.ctx, adminB, hookA.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("another organisation's admin deactivates: %v", err)
	}
	if err := f.hooks.Deactivate(f.ctx, adminB, global.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("org admin deactivates a global webhook: %v", err)
	}

	n := escalation.NewOutbox(f.acc, nil)
	to := func(note escalation.Note) map[uuid.UUID]bool {
		f.notify(t, n, note)
		got := map[uuid.UUID]bool{}
		for _, r := range f.rows(t, note.DedupKey) {
			if r.WebhookID != nil {
				got[*r.WebhookID] = true
			}
		}
		return got
	}
	for _, kind := range []string{escalation.KindEscalation, escalation.KindBreach, escalation.KindIncidentOpened} {
		got := to(escalation.Note{Kind: kind, Recipients: []uuid.UUID{f.users[0].ID}, Subject: "staff note", OrganizationID: &orgA.ID, DedupKey: f.key(kind, "org")})
		if !got[global.ID] || got[hookA.ID] || got[hookB.ID] {
			t.Errorf("%s note went to %v, want the global webhook only", kind, got)
		}
	}
	got := to(escalation.Note{Kind: escalation.KindRenewalReminder, Recipients: []uuid.UUID{adminA.ID}, Subject: "renew", OrganizationID: &orgA.ID, DedupKey: f.key("renewal", "orgA")})
	if !got[global.ID] || !got[hookA.ID] || got[hookB.ID] {
		t.Errorf("organisation A's reminder went to %v, want global and A's", got)
	}
	got = to(escalation.Note{Kind: escalation.KindRenewalReminder, Recipients: []uuid.UUID{adminA.ID}, Subject: "renew", DedupKey: f.key("renewal", "noorg")})
	if !got[global.ID] || got[hookA.ID] || got[hookB.ID] {
		t.Errorf("a reminder about no organisation went to %v, want global only", got)
	}
}

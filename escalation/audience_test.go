package escalation_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets"
)

// TestEveryNoteKindHasAnAudience: each notification kind a producer may use has a decision;
// only the renewal reminder (no incident content) and the customer notifications (customer
// fields of customer-visible entries, tell.go) reach customers.
func TestEveryNoteKindHasAnAudience(t *testing.T) {
	want := map[string]tickets.Audience{escalation.KindIncidentOpened: tickets.AudienceStaff, escalation.KindEscalation: tickets.AudienceStaff,
		escalation.KindBreach: tickets.AudienceStaff, escalation.KindRenewalReminder: tickets.AudienceCustomer,
		escalation.KindSLAWarning: tickets.AudienceStaff, escalation.KindResolutionConfirmed: tickets.AudienceStaff}
	for _, k := range escalation.CustomerKinds {
		want[k] = tickets.AudienceCustomer
	}
	for _, k := range escalation.Kinds {
		a, ok := want[k]
		if !ok {
			t.Errorf("notification kind %s: decide its audience in noteVisibility and here", k)
		}
		if got := escalation.NoteAudience(k); got != a {
			t.Errorf("%s: audience %s, want %s", k, got, a)
		}
	}
	if escalation.NoteAudience("made_up") != tickets.AudienceStaff {
		t.Error("an undecided notification kind is not staff-only")
	}
}

// TestCustomersNeverGetStaffNotes: a staff-only note addressed to a customer writes no inbox or
// e-mail row for them (staff still get theirs), and a customer's inbox lists only customer
// kinds even when a staff-only row was written for them some other way.
func TestCustomersNeverGetStaffNotes(t *testing.T) {
	f := newFixture(t, 1)
	acc := accounts.NewStore(f.db, f.clock)
	org, err := acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: "Audience " + f.run, Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	cust, err := acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: f.run + "-cust@example.test", Name: "C", Role: accounts.OrgAdmin, OrganizationID: &org.ID})
	if err != nil {
		t.Fatal(err)
	}
	mailer, err := escalation.NewMailer("smtp://127.0.0.1:1?from=supportd@example.test") // never dialled here
	if err != nil {
		t.Fatal(err)
	}
	n := escalation.NewOutbox(f.acc, mailer)
	staffNote := escalation.Note{Kind: escalation.KindEscalation, Recipients: []uuid.UUID{cust.ID, f.users[0].ID},
		Subject: "INC-9 escalated to support manager (level 1)", Body: "recipients: Manager 0", DedupKey: f.key("escalation", "aud")}
	f.notify(t, n, staffNote)
	for _, r := range f.rows(t, staffNote.DedupKey) {
		if r.RecipientID != nil && *r.RecipientID == cust.ID {
			t.Errorf("a %s row of a staff-only note was written for a customer", r.Channel)
		}
	}
	remind := escalation.Note{Kind: escalation.KindRenewalReminder, Recipients: []uuid.UUID{cust.ID}, Subject: "renew", DedupKey: f.key("renewal", "aud")}
	f.notify(t, n, remind)
	// A staff-only row addressed to the customer by a path that skips the Outbox.
	if err := f.db.Exec(`INSERT INTO notifications (id, recipient_id, channel, kind, subject, body, data, dedup_key, state, next_attempt_at, created_at)
		VALUES (?, ?, 'inbox', 'breach', 'missed', '', '{}', ?, 'delivered', now(), now())`, uuid.New(), cust.ID, f.key("breach", "aud")).Error; err != nil {
		t.Fatal(err)
	}
	items, _, err := escalation.NewInbox(f.store).List(f.ctx, cust, false, page.Request{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != escalation.KindRenewalReminder {
		t.Fatalf("customer inbox = %+v, want only the renewal reminder", items)
	}
	staff, _, err := escalation.NewInbox(f.store).List(f.ctx, f.users[0], false, page.Request{Limit: 50})
	if err != nil || len(staff) != 1 || staff[0].Kind != escalation.KindEscalation {
		t.Fatalf("staff inbox = %+v %v, want the escalation", staff, err)
	}
}

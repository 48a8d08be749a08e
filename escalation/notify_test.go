package escalation_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
)

// TestNotifyFansOutOnce: a note reaches each recipient's inbox and mailbox and every matching
// active subscription, and telling the same fact again writes nothing.
func TestNotifyFansOutOnce(t *testing.T) {
	f := newFixture(t, 2)
	mailer, err := escalation.NewMailer("smtp://127.0.0.1:1?from=supportd@example.test") // never dialled here
	if err != nil {
		t.Fatal(err)
	}
	n := escalation.NewOutbox(f.acc, mailer)
	escHook, _ := f.webhook(t, "https://hooks.example.test/esc", escalation.KindEscalation)
	allHook, _ := f.webhook(t, "https://hooks.example.test/all")
	f.webhook(t, "https://hooks.example.test/breach", escalation.KindBreach)
	gone, _ := f.webhook(t, "https://hooks.example.test/gone")
	if err := f.hooks.Deactivate(f.ctx, f.admin, gone.ID); err != nil {
		t.Fatal(err)
	}

	u0, u1 := f.users[0].ID, f.users[1].ID
	note := escalation.Note{Kind: escalation.KindEscalation, Recipients: []uuid.UUID{u0, u1, u0},
		Subject: "INC-1 escalated to level 1", Body: "No first response.", Data: map[string]any{"level": 1},
		DedupKey: f.key("escalation", "1")}
	ids := f.notify(t, n, note)
	if len(ids) != 4 {
		t.Fatalf("new outbox rows = %d, want 4 (2 e-mails, 2 webhooks)", len(ids))
	}
	rows := f.rows(t, note.DedupKey)
	count := map[string]int{}
	hooks := map[uuid.UUID]bool{}
	for _, r := range rows {
		count[r.Channel+"/"+r.State]++
		if r.WebhookID != nil {
			hooks[*r.WebhookID] = true
		}
	}
	want := map[string]int{"inbox/delivered": 2, "email/pending": 2, "webhook/pending": 2}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s rows = %d, want %d (all: %v)", k, count[k], v, count)
		}
	}
	if !hooks[escHook.ID] || !hooks[allHook.ID] || len(hooks) != 2 {
		t.Errorf("webhook rows go to %v, want the escalation and the catch-all subscriptions", hooks)
	}

	// The same fact again: a duplicate task, a second worker.
	if again := f.notify(t, n, note); len(again) != 0 {
		t.Errorf("second Notify inserted %v, want nothing", again)
	}
	if got := len(f.rows(t, note.DedupKey)); got != len(rows) {
		t.Errorf("rows after second Notify = %d, want %d", got, len(rows))
	}

	items, _, err := escalation.NewInbox(f.store).List(f.ctx, f.users[0], true, page.Request{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Subject != note.Subject {
		t.Errorf("inbox of u0 = %+v, want the one note", items)
	}

	// Without e-mail, no e-mail rows: they could never be sent.
	note.DedupKey = f.key("escalation", "2")
	ids = f.notify(t, escalation.NewOutbox(f.acc, nil), note)
	if len(ids) != 2 {
		t.Errorf("new outbox rows without e-mail = %d, want the 2 webhooks", len(ids))
	}
	for _, r := range f.rows(t, note.DedupKey) {
		if r.Channel == "email" {
			t.Errorf("e-mail row written while e-mail is off: %+v", r)
		}
	}
}

func TestNotifyRejectsIncompleteNotes(t *testing.T) {
	f := newFixture(t, 1)
	n := escalation.NewOutbox(f.acc, nil)
	base := escalation.Note{Kind: escalation.KindBreach, Recipients: []uuid.UUID{f.users[0].ID}, Subject: "s", DedupKey: f.key("k")}
	cases := map[string]func(*escalation.Note){
		"kind":       func(n *escalation.Note) { n.Kind = "" },
		"dedup_key":  func(n *escalation.Note) { n.DedupKey = " " },
		"subject":    func(n *escalation.Note) { n.Subject = "" },
		"recipients": func(n *escalation.Note) { n.Recipients = []uuid.UUID{uuid.New()} },
	}
	for field, change := range cases {
		note := base
		change(&note)
		err := f.db.Transaction(func(tx *gorm.DB) error {
			_, err := n.Notify(f.ctx, dbx.NewTx(tx, f.clock.Now()), note)
			return err
		})
		if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s: err = %v, want invalid_value", field, err)
		}
	}
}

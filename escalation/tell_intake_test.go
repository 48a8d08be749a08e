package escalation_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/ticketstest"
	"gorm.io/gorm"
)

// sqlKey marks the context whose statements a recorder keeps.
type sqlKey struct{}

// sqlRecord is the statements run under one context.
type sqlRecord struct {
	mu   sync.Mutex
	stmt []string
}

// TestIntakeReadsNoThread: telling the customers of an incident opened in the same step writes
// their receipt (inbox and e-mail) without asking notifications for an e-mail thread about it:
// nothing about it was sent before, so intake spends no statement on it.
func TestIntakeReadsNoThread(t *testing.T) {
	f := newTellFixture(t, "premium")
	db := testenv.OpenDB(t, testenv.Postgres(t))
	record := func(tx *gorm.DB) {
		if r, ok := tx.Statement.Context.Value(sqlKey{}).(*sqlRecord); ok {
			r.mu.Lock()
			r.stmt = append(r.stmt, tx.Statement.SQL.String())
			r.mu.Unlock()
		}
	}
	cb := db.Callback()
	for _, err := range []error{cb.Raw().After("gorm:raw").Register("test:record", record), cb.Query().After("gorm:query").Register("test:record", record),
		cb.Row().After("gorm:row").Register("test:record", record), cb.Create().After("gorm:create").Register("test:record", record)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	acc := accounts.NewStore(db, f.clock)
	mailer, err := escalation.NewMailer("smtp://127.0.0.1:9?from=support@vendor.example.test") // never dialled
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: acc},
		Planner: catalog.New(catalog.NewStore(db), f.clock), Escalator: escalation.NewLadder(acc, escalation.NewOutbox(acc, mailer)),
		Teller: escalation.NewTeller(acc, mailer), Users: acc, Clock: f.clock})
	rec := &sqlRecord{}
	sev := 2
	inc, _, err := svc.Open(context.WithValue(f.ctx, sqlKey{}, rec), f.opener, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.stmt) < 5 {
		t.Fatalf("recorded %d statements of an intake: the recorder is not hearing them", len(rec.stmt))
	}
	for _, s := range rec.stmt {
		if strings.Contains(s, "PARTITION BY n.incident_id, n.recipient_id") {
			t.Errorf("intake asked for an e-mail thread of the incident it opens:\n%s", s)
		}
	}
	var channels []string
	if err := f.db.Raw("SELECT channel FROM notifications WHERE incident_id = ? AND recipient_id = ? ORDER BY channel", inc.ID, f.opener.ID).
		Scan(&channels).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(channels, ",") != "email,inbox" {
		t.Errorf("the opener's receipt went to %v, want e-mail and inbox", channels)
	}
}

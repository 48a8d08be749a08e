package escalation_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/testenv"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// fixture is a migrated database with an admin, some staff and a stopped clock. Tests share the
// package's database, so each starts with the outbox quiet: no pending rows and no active
// webhooks left by an earlier test, which a sweep or a Notify would otherwise pick up.
type fixture struct {
	ctx   context.Context
	db    *gorm.DB
	clock *clock.Fake
	admin accounts.User
	users []accounts.User
	hooks *escalation.Webhooks
	acc   *accounts.Store
	store *escalation.Store
	run   string // unique per test run: -count=N reuses the database
}

// key returns a dedup key for a fact of this test run.
func (f *fixture) key(kind string, parts ...string) string {
	return strings.Join(append([]string{kind, f.run}, parts...), ":")
}

func newFixture(t *testing.T, staff int) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.DB(t)
	quiet := func() {
		db.Exec("UPDATE notifications SET state = 'failed' WHERE state = 'pending'")
		db.Exec("UPDATE webhooks SET active = false WHERE active")
	}
	quiet()
	t.Cleanup(quiet)
	c := clock.NewFake(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "escalation-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	store := escalation.NewStore(db)
	f := &fixture{ctx: ctx, db: db, clock: c, admin: admin, acc: acc, store: store,
		hooks: escalation.NewWebhooks(store, acc, c, escalation.WebhookOptions{AllowPrivate: true}), // receivers are local httptest servers
		run:   strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())) + "-" + uuid.NewString()[:8]}
	name := f.run
	for i := 0; i < staff; i++ {
		u, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d@example.test", name, i),
			Name: fmt.Sprintf("Manager %d", i), Role: accounts.SupportManager, Office: "tokyo"})
		if err != nil {
			t.Fatal(err)
		}
		f.users = append(f.users, u)
	}
	return f
}

// notify writes the note in its own transaction, as a producer would, and returns the IDs to
// hand to the delivery queue.
func (f *fixture) notify(t *testing.T, n *escalation.Outbox, note escalation.Note) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		ids, err = n.Notify(f.ctx, dbx.NewTx(tx, f.clock.Now()), note)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// webhook subscribes url to events and returns the subscription and its secret.
func (f *fixture) webhook(t *testing.T, url string, events ...string) (escalation.Webhook, []byte) {
	t.Helper()
	h, secret, err := f.hooks.Create(f.ctx, f.admin, escalation.NewWebhook{Name: "hook " + url, URL: url, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return h, []byte(secret)
}

// outboxRow is a notification as the tests inspect it.
type outboxRow struct {
	ID            uuid.UUID
	Channel       string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	DeliveredAt   *time.Time
	LastError     string
	WebhookID     *uuid.UUID
	RecipientID   *uuid.UUID
}

func (f *fixture) row(t *testing.T, id uuid.UUID) outboxRow {
	t.Helper()
	var r outboxRow
	if err := f.db.Table("notifications").Where("id = ?", id).Take(&r).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) rows(t *testing.T, dedupPrefix string) []outboxRow {
	t.Helper()
	var rs []outboxRow
	if err := f.db.Table("notifications").Where("dedup_key LIKE ?", dedupPrefix+":%").Order("channel, id").Find(&rs).Error; err != nil {
		t.Fatal(err)
	}
	return rs
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mailbox is a real SMTP server on 127.0.0.1, in the test process, keeping what it receives.
type mailbox struct {
	addr string
	mu   sync.Mutex
	got  []received
}

type received struct {
	From string
	To   []string
	Data []byte
}

func startSMTP(t *testing.T) *mailbox {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: box}, nil }))
	srv.Domain = "mx.example.test"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box
}

func (b *mailbox) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.got...)
}

type smtpSession struct {
	box  *mailbox
	from string
	to   []string
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.got = append(s.box.got, received{From: s.from, To: s.to, Data: data})
	s.box.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }

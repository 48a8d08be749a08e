package inbound_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/mailtest"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// TestMailboxFailureIsIsolatedAndVisible: a mailbox whose server refuses connections fails on its
// own — the good one next to it keeps being read, by IDLE at once — and its failure shows in
// GET /v1/mailboxes/{id}'s state, in the metrics, and in one notification to the admins for the
// whole streak. The password is stored sealed.
func TestMailboxFailureIsIsolatedAndVisible(t *testing.T) {
	v := newEnv(t)
	dove := mailtest.StartIMAP(t)
	good := v.mailbox(dove.IMAPAddr, "support", dove.Password)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	badAddr := closed.Addr().(*net.TCPAddr)
	closed.Close()
	bad, err := v.e.Mail.CreateMailbox(v.ctx, v.admin, inbound.MailboxInput{Name: ptr("broken"), IMAPHost: ptr("127.0.0.1"),
		IMAPPort: ptr(badAddr.Port), TLSMode: ptr("none"), Username: ptr("x"), Secret: ptr("pw"), DefaultProduct: ptr("gateway"),
		Addresses: []string{"broken@support.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := v.e.DB.Raw(`SELECT secret FROM mailboxes WHERE id = ?`, good.ID).Row().Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(stored), "sbx1:") || strings.Contains(string(stored), dove.Password) {
		t.Fatalf("password stored as %q", stored)
	}

	ctx, cancel := context.WithCancel(v.ctx)
	defer cancel()
	// A long interval: only IDLE can bring the second message in time.
	reader := &workers.MailReader{Mail: v.e.Mail, Interval: 300 * time.Millisecond, Log: v.e.Log}
	done := make(chan struct{})
	go func() { defer close(done); reader.Run(ctx) }()
	dove.Append(t, "support", "INBOX", mailFrom("alice@acme.example", "first", "x"))
	waitFor(t, "the bad mailbox to fail three times", 20*time.Second, func() bool {
		m, _ := v.e.Mail.GetMailbox(v.ctx, v.admin, bad.ID)
		return m.Failures >= 3
	})
	dove.Append(t, "support", "INBOX", mailFrom("alice@acme.example", "second", "x"))
	// The reader stores a message, then records its position: wait for both, or the cancel below
	// may land between the two (a restarted reader would then fetch the message again and
	// recognise it by its dedup key, which the end of this test checks).
	waitFor(t, "both messages of the good mailbox, and its position after them", 10*time.Second, func() bool {
		m, _ := v.e.Mail.GetMailbox(v.ctx, v.admin, good.ID)
		return len(v.messages("")) == 2 && m.LastUID == 2 && m.State == inbound.StateOK
	})
	cancel()
	<-done

	g, _ := v.e.Mail.GetMailbox(v.ctx, v.admin, good.ID)
	b, _ := v.e.Mail.GetMailbox(v.ctx, v.admin, bad.ID)
	if g.State != inbound.StateOK || g.LastUID != 2 {
		t.Errorf("good mailbox %+v", g)
	}
	if b.State != inbound.StateFailing || b.LastError == "" || b.FailingSince == nil || b.LastSuccessAt != nil {
		t.Errorf("bad mailbox %+v", b)
	}
	var notes int64
	v.e.DB.Raw(`SELECT count(*) FROM notifications WHERE kind = ? AND recipient_id = ? AND channel = 'inbox'`, inbound.KindMailboxFailing, v.admin.ID).Scan(&notes)
	if notes != 1 {
		t.Errorf("%d admin notifications for one failure streak, want 1", notes)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(inbound.NewCollector(inbound.NewStore(v.e.DB)))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	failing := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() == "supportd_mailbox_failing" {
			for _, m := range mf.GetMetric() {
				failing[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	if failing["broken"] != 1 || failing["support"] != 0 {
		t.Errorf("supportd_mailbox_failing %v", failing)
	}
	// A restarted reader reads nothing twice.
	ctx2, cancel2 := context.WithCancel(v.ctx)
	reader2 := &workers.MailReader{Mail: v.e.Mail, Interval: 200 * time.Millisecond, Log: v.e.Log}
	done2 := make(chan struct{})
	go func() { defer close(done2); reader2.Run(ctx2) }()
	dove.Append(t, "support", "INBOX", mailFrom("alice@acme.example", "third", "x"))
	waitFor(t, "the third message", 10*time.Second, func() bool { return len(v.messages("")) == 3 })
	time.Sleep(500 * time.Millisecond)
	cancel2()
	<-done2
	if n := len(v.messages("")); n != 3 {
		t.Errorf("%d messages after a restart, want 3", n)
	}
}

// TestRestartBetweenStoringAndProcessing: the message is stored and its task queued while no
// worker runs; when one starts, the message becomes exactly one incident. A second message
// whose task Redis lost is found by the sweep.
func TestRestartBetweenStoringAndProcessing(t *testing.T) {
	v := newEnv(t)
	v.customer("Acme", "alice@acme.example", "active")
	mb := v.mailbox("", "", "")
	first, _, err := v.e.Mail.Receive(v.ctx, mailFrom("alice@acme.example", "stored before the crash", "x"), inbound.Delivery{Source: "lmtp", MailboxID: &mb.ID})
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := v.e.Mail.Receive(v.ctx, mailFrom("alice@acme.example", "task lost", "y"), inbound.Delivery{Source: "lmtp", MailboxID: &mb.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Redis loses the second message's task.
	rc := testenv.Redis(t)
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: rc.Addr, Password: rc.Password, DB: rc.DB})
	defer insp.Close()
	if err := insp.DeleteTask(workers.QueueDefault, workers.TypeMailProcess+":"+second.String()); err != nil {
		t.Fatalf("deleting the queued task: %v", err)
	}
	ctx, cancel := context.WithCancel(v.ctx)
	done := make(chan error, 1)
	go func() {
		done <- workers.Run(ctx, v.e.Redis, workers.Config{Concurrency: 4, ShutdownTimeout: 5 * time.Second,
			Mail: workers.MailConfig{SweepInterval: time.Second, SweepAge: time.Second, PollInterval: time.Hour}},
			workers.Deps{Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Mail: v.e.Mail, MailQueue: v.e.MailQueue})
	}()
	waitFor(t, "both messages processed", 30*time.Second, func() bool { return len(v.messages(inbound.MsgProcessed)) == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	page, err := v.e.Incidents.List(v.ctx, v.admin, tickets.Filter{Limit: 50})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("%d incidents for two messages (%v)", len(page.Items), err)
	}
	for _, id := range []string{first.String(), second.String()} {
		var n int64
		v.e.DB.Raw(`SELECT count(*) FROM inbound_messages WHERE id = ? AND incident_id IS NOT NULL`, id).Scan(&n)
		if n != 1 {
			t.Errorf("message %s has no incident", id)
		}
	}
}

// TestLMTPDelivery: a mail server delivers over LMTP and gets 250 once the message is stored;
// while PostgreSQL is down it gets 451, keeps the message and delivers it later.
func TestLMTPDelivery(t *testing.T) {
	pg := testenv.PrivatePostgres(t)
	v := newEnv(t, "DATABASE_URL", pg.DSN)
	v.customer("Acme", "alice@acme.example", "active")
	v.mailbox("", "", "")
	srv := workers.NewLMTPServer(v.e.Mail, 1<<20, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	deliver := func(rcpt string, raw []byte, stopPG bool) error {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c := smtp.NewClientLMTP(conn)
		defer c.Close()
		if err := c.Hello("mx.test"); err != nil {
			return err
		}
		if err := c.Mail("alice@acme.example", nil); err != nil {
			return err
		}
		if err := c.Rcpt(rcpt, nil); err != nil {
			return err
		}
		if stopPG {
			if err := pg.Stop(); err != nil {
				t.Fatal(err)
			}
		}
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
		_, err = w.CloseWithLMTPResponse()
		return err
	}
	if err := deliver("nobody@support.example.com", mailFrom("alice@acme.example", "x", "y"), false); !isCode(err, 550) {
		t.Fatalf("unknown recipient: %v, want 550", err)
	}
	if err := deliver(supportAddr, mailFrom("alice@acme.example", "over lmtp", "hello"), false); err != nil {
		t.Fatal(err)
	}
	msgs := v.messages("")
	if len(msgs) != 1 || msgs[0].Source != "lmtp" || msgs[0].MailboxID == nil {
		t.Fatalf("%+v", msgs)
	}
	if err := v.e.Mail.Process(v.ctx, msgs[0].ID); err != nil {
		t.Fatal(err)
	}

	later := mailFrom("alice@acme.example", "while the database is down", "keep it")
	if err := deliver(supportAddr, later, true); !isCode(err, 451) {
		t.Fatalf("with PostgreSQL down: %v, want 451", err)
	}
	if err := deliver(supportAddr, later, false); !isCode(err, 451) {
		t.Fatalf("RCPT with PostgreSQL down: %v, want 451", err)
	}
	if err := pg.Restart(v.ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried delivery", 20*time.Second, func() bool { return deliver(supportAddr, later, false) == nil })
	if n := len(v.messages("")); n != 2 {
		t.Fatalf("%d messages after the retry, want 2", n)
	}
}

func isCode(err error, code int) bool {
	var se *smtp.SMTPError
	for e := err; e != nil; {
		if s, ok := e.(*smtp.SMTPError); ok {
			se = s
			break
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	if se == nil {
		// CloseWithLMTPResponse reports per-recipient errors in an LMTPDataError map.
		if le, ok := err.(smtp.LMTPDataError); ok {
			for _, e := range le {
				return e.Code == code
			}
		}
		return false
	}
	return se.Code == code
}

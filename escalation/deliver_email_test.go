package escalation_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
)

// TestEmailDeliveredOnce sends a notification through a real SMTP server in the test process,
// and a duplicated delivery task sends nothing more.
func TestEmailDeliveredOnce(t *testing.T) {
	f := newFixture(t, 1)
	box := startSMTP(t)
	mailer, err := escalation.NewMailer("smtp://" + box.addr + "?from=supportd@example.test")
	if err != nil {
		t.Fatal(err)
	}
	d := escalation.NewDeliverer(f.store, f.acc, mailer, f.clock, quietLog(), escalation.DeliveryConfig{})
	u := f.users[0]
	body := "Incident INC-7 has had no first response for 2 hours.\n" + strings.Repeat("ログ行 ", 300) + "\n.\nend"
	ids := f.notify(t, escalation.NewOutbox(f.acc, mailer), escalation.Note{Kind: escalation.KindEscalation,
		Recipients: []uuid.UUID{u.ID}, Subject: "INC-7 escalated — 対応してください", Body: body, DedupKey: f.key("escalation")})
	if len(ids) != 1 {
		t.Fatalf("outbox rows = %v, want one e-mail", ids)
	}
	id := ids[0]

	// Duplicated fast-path tasks, some at the same time.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Deliver(f.ctx, id); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := d.Deliver(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	if n, err := d.Sweep(f.ctx, f.clock.Advance(time.Hour), 100); err != nil || n != 0 {
		t.Errorf("sweep after delivery = %d, %v; want nothing to do", n, err)
	}

	got := box.messages()
	if len(got) != 1 {
		t.Fatalf("messages received = %d, want 1", len(got))
	}
	m := got[0]
	if len(m.To) != 1 || m.To[0] != u.Email || m.From != "supportd@example.test" {
		t.Errorf("envelope from %q to %v, want supportd@example.test to %s", m.From, m.To, u.Email)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "INC-7 escalated — 対応してください" {
		t.Errorf("subject = %q (%v)", subject, err)
	}
	if got, want := msg.Header.Get("Message-ID"), "<"+id.String()+"@example.test>"; got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	// SMTP ends the data with a line break of its own.
	if got := strings.TrimSuffix(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n"); got != body {
		t.Errorf("body = %q, want %q", got, body)
	}
	for _, line := range strings.Split(string(m.Data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("a line of %d octets breaks SMTP's limit", len(line))
		}
	}

	r := f.row(t, id)
	if r.State != "delivered" || r.DeliveredAt == nil || r.Attempts != 1 {
		t.Errorf("row = %+v, want delivered after one attempt", r)
	}
}

// TestSilentSMTPServerTimesOut: a server that accepts and never speaks costs one timeout, and
// the failure is recorded for a retry.
func TestSilentSMTPServerTimesOut(t *testing.T) {
	f := newFixture(t, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	mailer, err := escalation.NewMailer("smtp://" + ln.Addr().String() + "?from=supportd@example.test")
	if err != nil {
		t.Fatal(err)
	}
	ids := f.notify(t, escalation.NewOutbox(f.acc, mailer), escalation.Note{Kind: escalation.KindEscalation,
		Recipients: []uuid.UUID{f.users[0].ID}, Subject: "s", DedupKey: f.key("escalation")})
	d := escalation.NewDeliverer(f.store, f.acc, mailer, f.clock, quietLog(), escalation.DeliveryConfig{Timeout: time.Second})
	start := time.Now()
	err = d.Deliver(f.ctx, ids[0])
	if took := time.Since(start); !errors.Is(err, escalation.ErrNotDelivered) || took > 3*time.Second {
		t.Fatalf("Deliver = %v after %v, want ErrNotDelivered after about 1 s", err, took)
	}
	if r := f.row(t, ids[0]); r.State != "pending" || r.Attempts != 1 || r.LastError == "" {
		t.Errorf("row = %+v, want a recorded failed attempt", r)
	}
}

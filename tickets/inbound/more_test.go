package inbound_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/mailtest"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
	"gorm.io/gorm"
)

// TestOutboundMailSkipsUndeliverable: once a bounce marked a customer's address, the notification
// mailer does not send to it (the row fails at once, visibly) while others still get theirs.
func TestOutboundMailSkipsUndeliverable(t *testing.T) {
	v := newEnv(t)
	gone := v.customer("Acme", "gone.user@acme.example", "active")
	fine, err := v.e.Accounts.CreateUser(v.ctx, v.admin, accounts.NewUser{Email: "fine@acme.example", Name: "F", Role: accounts.Member, OrganizationID: gone.OrganizationID})
	if err != nil {
		t.Fatal(err)
	}
	mb := v.mailbox("", "", "")
	if m := v.deliver(fixture(t, "bounce.eml"), mb); m.Outcome != "bounce" {
		t.Fatalf("%+v", m)
	}
	var ids []string
	err = v.e.DB.Transaction(func(tx *gorm.DB) error {
		out, err := v.e.Outbox.Notify(v.ctx, dbx.NewTx(tx, time.Now()), escalation.Note{Kind: escalation.KindRenewalReminder,
			Recipients: []uuid.UUID{gone.ID, fine.ID}, Subject: "hello", Body: "b", DedupKey: "test:" + gone.ID.String()})
		for _, id := range out {
			ids = append(ids, id.String())
		}
		return err
	})
	if err != nil || len(ids) != 2 {
		t.Fatalf("%v %v", ids, err)
	}
	d := escalation.NewDeliverer(escalation.NewStore(v.e.DB), v.e.Accounts, v.e.Mailer, v.e.Clock, v.e.Log, escalation.DeliveryConfig{Undeliverable: v.e.Mail.IsUndeliverable})
	for _, id := range ids {
		err := d.Deliver(context.Background(), mustUUID(id))
		if err != nil && !errors.Is(err, escalation.ErrNotDelivered) {
			t.Fatal(err)
		}
	}
	sent := v.smtp.Wait(t, 1, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	sent = v.smtp.Messages()
	if len(sent) != 1 || sent[0].To[0] != "fine@acme.example" {
		t.Fatalf("sent %d: %+v", len(sent), sent)
	}
	var state, lastErr string
	v.e.DB.Raw(`SELECT state, coalesce(last_error, '') FROM notifications WHERE recipient_id = ? AND channel = 'email'`, gone.ID).Row().Scan(&state, &lastErr)
	if state != "failed" || !strings.Contains(lastErr, "undeliverable") {
		t.Errorf("notification to the bounced address: %s %q", state, lastErr)
	}
}

// TestAfterImportActionsAndProductMapping: a mailbox set to move puts read mail in its folder,
// one set to delete removes it; mail to a mapped recipient is about the mapped product.
func TestAfterImportActionsAndProductMapping(t *testing.T) {
	v := newEnv(t)
	v.customer("Acme", "alice@acme.example", "active")
	dove := mailtest.StartIMAP(t)
	mk := func(name, user, action, addr string) inbound.Mailbox {
		host, port := splitAddr(dove.IMAPAddr)
		in := inbound.MailboxInput{Name: ptr(name), IMAPHost: ptr(host), IMAPPort: ptr(port), TLSMode: ptr("none"), Username: ptr(user),
			Secret: ptr(dove.Password), DefaultProduct: ptr("gateway"), AfterImport: ptr(action), Addresses: []string{addr},
			ProductMap: map[string]string{"mapped@support.example.com": "endpoint"}}
		if action == inbound.AfterMove {
			in.MoveTo = ptr("Processed")
		}
		m, err := v.e.Mail.CreateMailbox(v.ctx, v.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	mk("mover", "mover", inbound.AfterMove, "mover@support.example.com")
	mk("deleter", "deleter", inbound.AfterDelete, "deleter@support.example.com")
	dove.Append(t, "mover", "Processed", mailFrom("alice@acme.example", "create the folder", "x")) // the folder exists
	msg := strings.Replace(string(mailFrom("alice@acme.example", "to the mapped address", "x")), "To: "+supportAddr, "To: mapped@support.example.com", 1)
	dove.Append(t, "mover", "INBOX", []byte(msg))
	dove.Append(t, "deleter", "INBOX", mailFrom("alice@acme.example", "delete me", "x"))

	ctx, cancel := context.WithCancel(v.ctx)
	reader := &workers.MailReader{Mail: v.e.Mail, Interval: 200 * time.Millisecond, Log: v.e.Log}
	done := make(chan struct{})
	go func() { defer close(done); reader.Run(ctx) }()
	waitFor(t, "both stored", 20*time.Second, func() bool { return len(v.messages("")) == 2 })
	waitFor(t, "the after-import actions", 20*time.Second, func() bool {
		return len(dove.Fetch(t, "mover", "INBOX")) == 0 && len(dove.Fetch(t, "deleter", "INBOX")) == 0
	})
	cancel()
	<-done
	if n := len(dove.Fetch(t, "mover", "Processed")); n != 2 {
		t.Errorf("%d messages in Processed, want 2", n)
	}
	v.processAll()
	for _, m := range v.messages(inbound.MsgProcessed) {
		inc, err := v.e.Incidents.Get(v.ctx, v.admin, *m.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		want := "gateway"
		if m.Subject == "to the mapped address" {
			want = "endpoint"
		}
		if inc.Product != want {
			t.Errorf("%q: product %s, want %s", m.Subject, inc.Product, want)
		}
	}
}

// TestMailboxAdministration: admins only; a patch changes the fields given, a new folder starts
// the reader afresh, a new password is sealed; invalid settings are refused; delete removes it.
func TestMailboxAdministration(t *testing.T) {
	v := newEnv(t)
	eng := v.staff("eng@vendor.example", accounts.Engineer)
	if _, err := v.e.Mail.CreateMailbox(v.ctx, eng, inbound.MailboxInput{Name: ptr("x")}); err == nil {
		t.Fatal("an engineer created a mailbox")
	}
	for _, bad := range []inbound.MailboxInput{
		{Name: ptr("a"), DefaultProduct: ptr("p")}, // no address
		{Name: ptr("a"), DefaultProduct: ptr("p"), Addresses: []string{"not-an-address"}},
		{Name: ptr("a"), DefaultProduct: ptr("p"), Addresses: []string{"s@x.example"}, AfterImport: ptr("move")}, // no move_to
		{Name: ptr("a"), DefaultProduct: ptr("p"), Addresses: []string{"s@x.example"}, TLSMode: ptr("ssl3")},
	} {
		if _, err := v.e.Mail.CreateMailbox(v.ctx, v.admin, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	mb := v.mailbox("127.0.0.1:993", "support", "first")
	if err := v.e.Mail.SetPosition(v.ctx, mb.ID, 7, 42); err != nil {
		t.Fatal(err)
	}
	got, err := v.e.Mail.UpdateMailbox(v.ctx, v.admin, mb.ID, inbound.MailboxInput{Folder: ptr("Support"), Secret: ptr("second")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Folder != "Support" || got.DefaultProduct != "gateway" || got.UIDValidity != 0 || got.LastUID != 0 || !got.HasSecret {
		t.Fatalf("after patch %+v", got)
	}
	if pw, err := v.e.Mail.Secret(v.ctx, mb.ID); err != nil || pw != "second" {
		t.Fatalf("secret %q %v", pw, err)
	}
	if err := v.e.Mail.DeleteMailbox(v.ctx, v.admin, mb.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := v.e.Mail.GetMailbox(v.ctx, v.admin, mb.ID); err == nil {
		t.Fatal("deleted mailbox still found")
	}
}

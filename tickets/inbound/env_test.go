package inbound_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/app"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/mailtest"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// The fixtures' tokens were made with this key and domain (internal/mailmsg's corpus test).
const (
	tokenKey     = "supportd-fixture-key-0123456789"
	mailDomain   = "support.example.com"
	supportAddr  = "support@support.example.com"
	salesAddr    = "sales-support@support.example.com"
	fixtureTokA  = "n4ocups3pvgbdgqoaaaaaaaaufgkyfowiqqz2cq"
	fixtureTokB  = "n4ocups3pvgbdgqoaaaaaaaawk5dupqg6u4hqmq"
	adminTokenTx = "inbound-test-admin-token-0123456789"
)

// env is an engine on a database of this test's own, with a recording SMTP server as its
// mailer: the real services, no mocks.
type env struct {
	t     *testing.T
	e     *app.Engine
	smtp  *mailtest.SMTP
	admin accounts.User
	sign  *mailmsg.Signer
	ctx   context.Context
}

func newEnv(t *testing.T, extra ...string) *env {
	t.Helper()
	ctx := context.Background()
	smtp := mailtest.StartSMTP(t)
	vars := map[string]string{
		"DATABASE_URL":   testenv.FreshDatabase(t),
		"REDIS_URL":      testenv.Redis(t).URL,
		"SMTP_URL":       "smtp://" + smtp.Addr + "?from=notifications@" + mailDomain,
		"MAIL_TOKEN_KEY": base64.StdEncoding.EncodeToString([]byte(tokenKey)), // as an operator gives it
		"MAIL_DOMAIN":    mailDomain,
		"SECRET_KEY":     strings.Repeat("ab", 32),
	}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	cfg, err := app.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	e, err := app.Open(ctx, cfg, log, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	if err := e.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.PrepareMail(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := e.Accounts.BootstrapAdmin(ctx, adminTokenTx)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := mailmsg.NewSigner([]byte(tokenKey), mailDomain)
	return &env{t: t, e: e, smtp: smtp, admin: admin, sign: s, ctx: ctx}
}

// customer makes an organisation with a contract for product "gateway" in the given state
// (active or expired) and a member with the address.
func (v *env) customer(org, email, state string) accounts.User {
	v.t.Helper()
	o, err := v.e.Accounts.CreateOrganization(v.ctx, v.admin, accounts.NewOrganization{Name: org, Office: "tokyo", Tier: "premium"})
	if err != nil {
		v.t.Fatal(err)
	}
	now := time.Now()
	start, end := now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)
	if state == "expired" {
		start, end = now.AddDate(-1, -3, 0), now.AddDate(0, -3, 0)
	}
	if _, err := v.e.Entitlements.Create(v.ctx, v.admin, o.ID, entitlement.Entitlement{Product: "gateway", Tier: "premium",
		LicenseType: entitlement.Subscription, StartsAt: start, EndsAt: end, RenewalWindowDays: 90}); err != nil {
		v.t.Fatal(err)
	}
	u, err := v.e.Accounts.CreateUser(v.ctx, v.admin, accounts.NewUser{Email: email, Name: email, Role: accounts.Member, OrganizationID: &o.ID})
	if err != nil {
		v.t.Fatal(err)
	}
	return u
}

func (v *env) staff(email string, role accounts.Role) accounts.User {
	v.t.Helper()
	u, err := v.e.Accounts.CreateUser(v.ctx, v.admin, accounts.NewUser{Email: email, Name: "Eng " + email, Role: role, Office: "tokyo"})
	if err != nil {
		v.t.Fatal(err)
	}
	return u
}

// mailbox adds the support mailbox; imapAddr empty makes it LMTP only.
func (v *env) mailbox(imapAddr, user, password string) inbound.Mailbox {
	v.t.Helper()
	in := inbound.MailboxInput{Name: ptr("support"), DefaultProduct: ptr("gateway"), Addresses: []string{supportAddr, salesAddr},
		TLSMode: ptr("none"), ProductMap: map[string]string{salesAddr: "gateway"}}
	if imapAddr != "" {
		host, port, _ := strings.Cut(imapAddr, ":")
		var p int
		fmt.Sscan(port, &p)
		in.IMAPHost, in.IMAPPort, in.Username, in.Secret = &host, &p, &user, &password
	}
	m, err := v.e.Mail.CreateMailbox(v.ctx, v.admin, in)
	if err != nil {
		v.t.Fatal(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "internal", "mailmsg", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// messages returns the stored messages by state (staff view), every page of them.
func (v *env) messages(state string) []inbound.Message {
	v.t.Helper()
	var all []inbound.Message
	req := page.Request{Limit: page.MaxLimit}
	for {
		ms, next, err := v.e.Mail.Messages(v.ctx, v.admin, inbound.MessageFilter{State: state}, req)
		if err != nil {
			v.t.Fatal(err)
		}
		all = append(all, ms...)
		if next == "" {
			return all
		}
		cur, err := page.ParseCursor(next)
		if err != nil {
			v.t.Fatal(err)
		}
		req.Cursor = &cur
	}
}

// processAll processes every stored message, as the task would.
func (v *env) processAll() {
	v.t.Helper()
	for _, m := range v.messages(inbound.MsgStored) {
		if err := v.e.Mail.Process(v.ctx, m.ID); err != nil {
			v.t.Fatalf("process %s: %v", m.ID, err)
		}
	}
}

func (v *env) timeline(id uuid.UUID) []tickets.Event {
	v.t.Helper()
	evs, err := v.e.Incidents.Timeline(v.ctx, v.admin, id)
	if err != nil {
		v.t.Fatal(err)
	}
	return evs
}

func kinds(evs []tickets.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func waitFor(t *testing.T, what string, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mustUUID(s string) uuid.UUID { return uuid.MustParse(s) }

func splitAddr(a string) (string, int) {
	host, port, _ := strings.Cut(a, ":")
	var p int
	fmt.Sscan(port, &p)
	return host, p
}

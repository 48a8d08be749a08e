package escalation_test

import (
	"bytes"
	"encoding/json"
	"github.com/supportd/supportd/tickets/ticketstest"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	gomail "github.com/emersion/go-message/mail"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// tellFixture is a platinum organisation with an opener, a follower who reads Japanese, a
// group co-member of the opener with e-mail off (the organisation tells groups), a bystander
// and an org admin; an engineer and an executive; the incident service telling customers through
// a real SMTP server and an organisation webhook.
type tellFixture struct {
	*fixture
	acc                                              *accounts.Store
	svc                                              *tickets.Service
	teller                                           *escalation.Teller
	followers                                        *escalation.Followers
	box                                              *mailbox
	deliver                                          *escalation.Deliverer
	signer                                           *mailmsg.Signer
	hooks                                            *hookBox
	org                                              accounts.Organization
	engineer                                         accounts.User
	exec                                             accounts.User
	opener, follower, groupmate, bystander, orgAdmin accounts.User
}

func newTellFixture(t *testing.T, tier string) *tellFixture {
	t.Helper()
	f := &tellFixture{fixture: newFixture(t, 1)}
	f.acc = accounts.NewStore(f.db, f.clock)
	var err error
	if f.org, err = f.acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: "Told " + f.run, Office: "tokyo", Tier: tier}); err != nil {
		t.Fatal(err)
	}
	user := func(name string, role accounts.Role, org *uuid.UUID) accounts.User {
		u, err := f.acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: f.run + "-" + strings.ToLower(strings.Fields(name)[0]) + "@example.test",
			Name: name, Role: role, OrganizationID: org, Office: "tokyo"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.opener, f.follower = user("Opener Ono", accounts.Member, &f.org.ID), user("Follower 山田", accounts.Member, &f.org.ID)
	f.groupmate, f.bystander = user("Groupmate Goto", accounts.Member, &f.org.ID), user("Bystander Baba", accounts.Member, &f.org.ID)
	f.orgAdmin = user("Orgadmin Oda", accounts.OrgAdmin, &f.org.ID)
	f.engineer, f.exec = user("Engineer Endo", accounts.Engineer, nil), user("Executive Secretname", accounts.Executive, nil)
	g, err := f.acc.CreateGroup(f.ctx, f.admin, accounts.NewGroup{OrganizationID: &f.org.ID, Name: "response " + f.run})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []accounts.User{f.opener, f.groupmate} {
		if _, err := f.acc.AddGroupMember(f.ctx, f.admin, g.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.followers = escalation.NewFollowers(f.store, f.acc, f.clock)
	ja, off, on := "ja", false, true
	if _, err := f.followers.SetUserPreferences(f.ctx, f.follower.ID, nil, &ja); err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.SetUserPreferences(f.ctx, f.groupmate.ID, &off, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.SetOrganizationSettings(f.ctx, f.org.ID, &on, nil); err != nil {
		t.Fatal(err)
	}

	f.box = startSMTP(t)
	mailer, err := escalation.NewMailer("smtp://" + f.box.addr + "?from=support@vendor.example.test")
	if err != nil {
		t.Fatal(err)
	}
	if f.signer, err = escalation.NewMailSigner(f.ctx, escalation.NewStore(f.db), []byte("tell-test-signing-key-0123456789"), "vendor.example.test"); err != nil {
		t.Fatal(err)
	}
	f.deliver = escalation.NewDeliverer(f.store, f.acc, mailer, f.clock, quietLog(), escalation.DeliveryConfig{AllowPrivate: true, Signer: f.signer})
	f.teller = escalation.NewTeller(f.acc, mailer)
	f.svc = tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(f.db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(f.db), f.clock), Escalator: escalation.NewLadder(f.acc, escalation.NewOutbox(f.acc, mailer)), Teller: f.teller, Users: f.acc, Clock: f.clock})

	f.hooks = &hookBox{}
	srv := httptest.NewServer(f.hooks)
	t.Cleanup(srv.Close)
	if _, _, err := f.fixture.hooks.Create(f.ctx, f.orgAdmin, escalation.NewWebhook{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	return f
}

// send delivers every pending e-mail and webhook now, as the worker's sweep does.
func (f *tellFixture) send(t *testing.T) {
	t.Helper()
	if _, err := f.deliver.Sweep(f.ctx, f.clock.Now(), 1000); err != nil {
		t.Fatal(err)
	}
}

// told returns, per notification kind, the recipients of the incident's rows of channel
// ("inbox", "email"), in order.
func (f *tellFixture) told(t *testing.T, inc uuid.UUID, channel string) map[string][]uuid.UUID {
	t.Helper()
	var rows []struct {
		Kind        string
		RecipientID uuid.UUID
	}
	if err := f.db.Table("notifications").Select("kind, recipient_id").Where("incident_id = ? AND channel = ? AND recipient_id IS NOT NULL", inc, channel).
		Order("created_at, id").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string][]uuid.UUID{}
	for _, r := range rows {
		out[r.Kind] = append(out[r.Kind], r.RecipientID)
	}
	return out
}

// mailTo returns the messages received for addr, parsed, in arrival order.
func (f *tellFixture) mailTo(t *testing.T, addr string) []*gomail.Reader {
	t.Helper()
	var out []*gomail.Reader
	for _, m := range f.box.messages() {
		if len(m.To) == 1 && m.To[0] == addr {
			r, err := gomail.CreateReader(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
	}
	return out
}

// hookBox is a webhook receiver keeping each delivery's body.
type hookBox struct {
	mu  sync.Mutex
	got []escalation.WebhookEvent
	raw []string
}

func (h *hookBox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var ev escalation.WebhookEvent
	_ = json.Unmarshal(b, &ev)
	h.mu.Lock()
	h.got, h.raw = append(h.got, ev), append(h.raw, string(b))
	h.mu.Unlock()
}

func (h *hookBox) kinds() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.got {
		out = append(out, e.Kind)
	}
	return out
}

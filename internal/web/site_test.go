package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/api"
	"github.com/supportd/supportd/internal/app"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/internal/web"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const password = "portal password 1"

var seq atomic.Int64

// site is a real server (API and pages on one Fiber app, listening on a loopback port) against
// this package's PostgreSQL and Redis, with one organisation of its own per test.
type site struct {
	t                         *testing.T
	e                         *app.Engine
	base                      string
	admin                     accounts.User
	org, otherOrg             accounts.Organization
	orgAdmin, member, member2 accounts.User
	outsider, engineer        accounts.User
	exec                      accounts.User
	ctx                       context.Context
}

type siteOption func(*web.Deps)

func newSite(t *testing.T, opts ...siteOption) *site {
	t.Helper()
	return newSiteAt(t, testenv.Postgres(t), testenv.Redis(t).URL, opts...)
}

// newSiteAt is newSite against the given database and Redis (a drill that changes the policy
// or runs workers gets its own of both).
func newSiteAt(t *testing.T, dbURL, redisURL string, opts ...siteOption) *site {
	t.Helper()
	ctx := context.Background()
	cfg, err := app.FromEnv(func(k string) string {
		switch k {
		case "DATABASE_URL":
			return dbURL
		case "REDIS_URL":
			return redisURL
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := app.Open(ctx, cfg, log, clock.Real{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Catalog.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, e: e, ctx: ctx}
	if s.admin, err = e.Accounts.BootstrapAdmin(ctx, "web-test-admin-token-xxxxxxxx"); err != nil {
		t.Fatal(err)
	}
	n := seq.Add(1)
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	s.org = s.mkOrg(fmt.Sprintf("Org %s %d", name, n), "premium")
	s.otherOrg = s.mkOrg(fmt.Sprintf("Other %s %d", name, n), "standard")
	mk := func(who string, role accounts.Role, org *accounts.Organization) accounts.User {
		in := accounts.NewUser{Email: fmt.Sprintf("%s-%d-%s@web.example", who, n, strings.ToLower(name)), Name: strings.ToUpper(who[:1]) + who[1:],
			Role: role, Office: "tokyo"}
		if org != nil {
			in.OrganizationID = &org.ID
		}
		u, err := e.Accounts.CreateUser(ctx, s.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Accounts.SetPassword(ctx, s.admin, u.ID, "", password, nil); err != nil {
			t.Fatal(err)
		}
		return u
	}
	s.orgAdmin = mk("orgadmin", accounts.OrgAdmin, &s.org)
	s.member = mk("member", accounts.Member, &s.org)
	s.member2 = mk("colleague", accounts.Member, &s.org)
	s.outsider = mk("outsider", accounts.Member, &s.otherOrg)
	s.engineer = mk("engineer", accounts.Engineer, nil)
	s.exec = mk("exec", accounts.Executive, nil)

	var pages *web.Server // built below, before the first request
	srv := api.New(api.Deps{Accounts: e.Accounts, Incidents: e.Incidents, Entitlements: e.Entitlements, Reports: e.Reports, Catalog: e.Catalog,
		Clock: e.Clock, Log: log, TooLargePage: func(c *fiber.Ctx) []byte { return pages.TooLargePage(c) }})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.base = "http://" + ln.Addr().String()
	deps := web.Deps{Accounts: e.Accounts, Incidents: e.Incidents, Entitlements: e.Entitlements, Reports: e.Reports, Clock: e.Clock, Log: log,
		Catalog: e.Catalog, Escalations: e.Escalations, Presence: web.NewPresence(web.NewPresenceStore(e.DB), e.Accounts), Files: e.Mail, PublicURL: s.base, Zone: mustZone("Asia/Tokyo"), Sessions: accounts.SessionPolicy{Idle: time.Hour, Absolute: 8 * time.Hour},
		Admin: web.AdminDeps{Catalog: e.Catalog, Webhooks: e.Webhooks, Mail: e.Mail}}
	for _, o := range opts {
		o(&deps)
	}
	pages, err = web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	pages.Register(srv.App())
	go srv.Listener(ln)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	return s
}

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func (s *site) mkOrg(name, tier string) accounts.Organization {
	s.t.Helper()
	o, err := s.e.Accounts.CreateOrganization(s.ctx, s.admin, accounts.NewOrganization{Name: name, Office: "tokyo", Tier: tier})
	if err != nil {
		s.t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	for _, ent := range []entitlement.Entitlement{
		{Product: "endpoint", Tier: tier, LicenseType: entitlement.Subscription, StartsAt: now.AddDate(0, -6, 0), EndsAt: now.AddDate(0, 6, 0),
			Seats: 10, SerialNumber: fmt.Sprintf("EP-%s", o.ID), RenewalWindowDays: 90},
		{Product: "firewall", Tier: tier, LicenseType: entitlement.Perpetual, Maintenance: true, StartsAt: now.AddDate(-2, 0, 0),
			EndsAt: now.AddDate(0, -2, 0), Seats: 2, SerialNumber: fmt.Sprintf("FW-%s", o.ID), RenewalWindowDays: 90, ReinstatementFee: true},
	} {
		if _, err := s.e.Entitlements.Create(s.ctx, s.admin, o.ID, ent); err != nil {
			s.t.Fatal(err)
		}
	}
	return o
}

// open opens an incident as u through the domain, as the API would.
func (s *site) open(u accounts.User, title, desc string, severity int) tickets.Incident {
	s.t.Helper()
	inc, _, err := s.e.Incidents.Open(s.ctx, u, tickets.NewIncident{Product: "endpoint", Title: title, Description: desc,
		Severity: &severity, Channel: tickets.ChannelWeb}, "")
	if err != nil {
		s.t.Fatal(err)
	}
	return inc
}

// browser is an HTTP client with its own cookies, as one browser.
type browser struct {
	s    *site
	c    *http.Client
	lang string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}, lang: "en"}
}

// page is a fetched response.
type page struct {
	status int
	body   string
	url    string
	header http.Header
}

func (b *browser) do(method, path string, form url.Values, hdr map[string]string) page {
	b.s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.base+path, body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", b.lang)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, body: string(raw), url: res.Request.URL.Path, header: res.Header}
}

func (b *browser) get(path string) page { return b.do("GET", path, nil, nil) }

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// post submits a form the way the page's form does: with the CSRF token the page carries.
func (b *browser) post(from, path string, form url.Values) page {
	b.s.t.Helper()
	p := b.get(from)
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token on %s (%d):\n%s", from, p.status, p.body)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", m[1])
	return b.do("POST", path, form, nil)
}

func (b *browser) signIn(u accounts.User) {
	b.s.t.Helper()
	p := b.post("/signin", "/signin", url.Values{"email": {u.Email}, "password": {password}})
	if p.status != 200 || p.url == "/signin" {
		b.s.t.Fatalf("sign-in as %s: %d at %s\n%s", u.Email, p.status, p.url, p.body)
	}
}

func (s *site) signedIn(u accounts.User) *browser {
	b := s.browser()
	b.signIn(u)
	return b
}

func has(t *testing.T, p page, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.body, w) {
			t.Errorf("page %s (%d) lacks %q", p.url, p.status, w)
		}
	}
}

func lacks(t *testing.T, p page, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(p.body, w) {
			t.Errorf("page %s (%d) shows %q", p.url, p.status, w)
		}
	}
}

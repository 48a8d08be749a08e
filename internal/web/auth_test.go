package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/web"
)

// Visitors are sent to sign in; each role lands on its start page with its own menu; a wrong
// password is refused; the session cookie is HttpOnly and SameSite=Lax, and every page has a
// nonce-based CSP whose nonce is the one on the page's script.
func TestSignInAndRoleMenus(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	p := b.get("/incidents/new")
	if p.url != "/signin" || p.status != 200 {
		t.Fatalf("visitor at %s (%d)", p.url, p.status)
	}
	has(t, p, `name="next" value="/incidents/new"`, "Sign in")

	bad := b.post("/signin", "/signin", url.Values{"email": {s.member.Email}, "password": {"not the password"}})
	if bad.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", bad.status)
	}
	has(t, bad, "Wrong e-mail address or password.")

	p = b.post("/signin", "/signin", url.Values{"email": {s.member.Email}, "password": {password}, "next": {"/incidents/new"}})
	if p.url != "/incidents/new" {
		t.Fatalf("member landed on %s", p.url)
	}
	has(t, p, `href="/incidents/new"`, `href="/sessions"`, "Sign out", s.member.Name)
	lacks(t, p, `href="/queue"`)
	csp := p.header.Get("Content-Security-Policy")
	m := regexp.MustCompile(`script-src 'nonce-([^']+)'`).FindStringSubmatch(csp)
	if m == nil || !strings.Contains(p.body, `<script nonce="`+m[1]+`" src="/static/htmx.min.js"`) {
		t.Fatalf("CSP %q does not match the page's script nonce", csp)
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(csp, "unsafe-inline") {
		t.Fatal("inline script without a nonce")
	}
	if p2 := b.get("/incidents"); p2.header.Get("Content-Security-Policy") == csp {
		t.Fatal("the nonce is not fresh per response")
	}

	e := s.signedIn(s.engineer)
	p = e.get("/")
	if p.url != "/queue" {
		t.Fatalf("engineer landed on %s", p.url)
	}
	has(t, p, `href="/queue"`, "Queue")
	lacks(t, p, `href="/incidents/new"`)
	x := s.signedIn(s.exec)
	has(t, x.get("/queue"), "Your role does not work the queue")
}

func TestSessionCookieAttributes(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	pre := b.get("/signin")
	form := url.Values{"email": {s.member.Email}, "password": {password}, "csrf_token": {csrfRE.FindStringSubmatch(pre.body)[1]}}
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p := b.do("POST", "/signin", form, nil)
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in answered %d", p.status)
	}
	var cookie string
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "supportd_session=") {
			cookie = c
		}
	}
	for _, want := range []string{"httponly", "samesite=lax", "path=/"} {
		if !strings.Contains(strings.ToLower(cookie), want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(strings.ToLower(cookie), "secure") {
		t.Errorf("plain HTTP cookie marked Secure: %q", cookie)
	}
	// Behind a TLS-terminating proxy the cookie is Secure.
	b2 := s.browser()
	b2.c.CheckRedirect = b.c.CheckRedirect
	form.Set("csrf_token", csrfRE.FindStringSubmatch(b2.get("/signin").body)[1])
	p = b2.do("POST", "/signin", form, map[string]string{"X-Forwarded-Proto": "https"})
	if c := strings.Join(p.header.Values("Set-Cookie"), "\n"); !strings.Contains(strings.ToLower(c), "; secure") {
		t.Errorf("cookie over TLS not Secure: %s", c)
	}
}

// Every POST needs the session's CSRF token, as a form field or (htmx) a header; without it, or
// with another session's, it is refused with 403 and nothing happens.
func TestCSRFRefused(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "CSRF target", "", 3)
	b := s.signedIn(s.member)
	path := "/incidents/" + inc.ID.String()
	p := b.do("POST", path+"/reply", url.Values{"body": {"forged reply"}}, nil)
	if p.status != http.StatusForbidden {
		t.Fatalf("POST without a token: %d", p.status)
	}
	has(t, p, "did not come from this site")
	other := s.signedIn(s.orgAdmin)
	tok := csrfRE.FindStringSubmatch(other.get(path).body)[1]
	if p := b.do("POST", path+"/reply", url.Values{"body": {"forged reply"}, "csrf_token": {tok}}, nil); p.status != http.StatusForbidden {
		t.Fatalf("POST with another session's token: %d", p.status)
	}
	if p := b.do("POST", "/signout", url.Values{}, nil); p.status != http.StatusForbidden {
		t.Fatalf("sign-out without a token: %d", p.status)
	}
	lacks(t, b.get(path), "forged reply")

	// The htmx way: the token in a header, as the body's hx-headers sends it.
	mine := csrfRE.FindStringSubmatch(b.get(path).body)[1]
	if !strings.Contains(b.get(path).body, `hx-headers='{"X-CSRF-Token": "`+mine+`"}'`) {
		t.Fatal("pages do not give htmx the CSRF header")
	}
	p = b.do("POST", path+"/reply", url.Values{"body": {"reply by htmx"}}, map[string]string{"X-CSRF-Token": mine, "HX-Request": "true"})
	if p.status != 200 {
		t.Fatalf("htmx POST with the header: %d", p.status)
	}
	has(t, b.get(path), "reply by htmx")
	// Sign-in itself is protected by the visitor's pre-session token.
	v := s.browser()
	v.get("/signin")
	if p := v.do("POST", "/signin", url.Values{"email": {s.member.Email}, "password": {password}}, nil); p.status != http.StatusForbidden {
		t.Fatalf("sign-in without a token: %d", p.status)
	}
}

// Sessions are listed for their owner; ending one from the page stops that browser at once;
// signing out ends the current one.
func TestSessionsPage(t *testing.T) {
	s := newSite(t)
	a, b := s.signedIn(s.member), s.signedIn(s.member)
	p := a.get("/sessions")
	if n := strings.Count(p.body, `/revoke"`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	has(t, p, "this browser", "password")
	ids := regexp.MustCompile(`action="/sessions/([0-9a-f-]+)/revoke"`).FindAllStringSubmatch(p.body, -1)
	current := regexp.MustCompile(`<tr class="current">[\s\S]*?action="/sessions/([0-9a-f-]+)/revoke"`).FindStringSubmatch(p.body)[1]
	var other string
	for _, m := range ids {
		if m[1] != current {
			other = m[1]
		}
	}
	p = a.post("/sessions", "/sessions/"+other+"/revoke", nil)
	has(t, p, "The session was ended.")
	if p := b.get("/incidents"); p.url != "/signin" {
		t.Fatalf("revoked browser still at %s", p.url)
	}
	// Another user cannot end someone else's session.
	c := s.signedIn(s.orgAdmin)
	if p := c.post("/sessions", "/sessions/"+current+"/revoke", nil); p.status != http.StatusNotFound {
		t.Fatalf("revoking another's session: %d", p.status)
	}
	a.post("/incidents", "/signout", nil)
	if p := a.get("/incidents"); p.url != "/signin" {
		t.Fatalf("signed-out browser at %s", p.url)
	}
}

// Failed sign-ins are throttled per address; the page says so (429) even for the right password.
func TestSignInThrottledPage(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	for i := 0; i < 5; i++ {
		b.post("/signin", "/signin", url.Values{"email": {s.member2.Email}, "password": {"wrong wrong wrong"}})
	}
	p := b.post("/signin", "/signin", url.Values{"email": {s.member2.Email}, "password": {password}})
	if p.status != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: %d", p.status)
	}
	has(t, p, "Too many failed sign-ins")
}

// A customer asks for a link: the answer is the same for known and unknown addresses; the link
// arrives through the SMTP sender, signs in once (on a POST, never a GET), and not twice.
func TestSignInLinkByEmail(t *testing.T) {
	box := startSMTP(t)
	mailer, err := escalation.NewMailer("smtp://" + box.addr + "?from=support@web.test")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, func(d *web.Deps) { d.Mailer = mailer })
	b := s.browser()
	known := b.post("/signin/link", "/signin/link", url.Values{"email": {s.member.Email}})
	unknown := b.post("/signin/link", "/signin/link", url.Values{"email": {"nobody-" + s.member.Email}})
	staff := b.post("/signin/link", "/signin/link", url.Values{"email": {s.engineer.Email}})
	strip := func(p page) string {
		return regexp.MustCompile(`value="[^"]*"|nonce-[^';]+|nonce="[^"]*"`).ReplaceAllString(p.body, "")
	}
	if known.status != 200 || strip(known) != strip(unknown) || strip(known) != strip(staff) {
		t.Fatal("the answer differs between a known and an unknown address")
	}
	has(t, known, "a sign-in link is on its way")
	msgs := box.wait(t, 1)
	time.Sleep(200 * time.Millisecond)
	if box.count() != 1 {
		t.Fatalf("%d mails, want 1 (only the customer's)", box.count())
	}
	m := regexp.MustCompile(`(?m)(/signin/link/[A-Za-z0-9_\-]+)\s*$`).FindStringSubmatch(msgs[0])
	if m == nil || !strings.Contains(msgs[0], s.base+m[1]) {
		t.Fatalf("no link to %s in:\n%s", s.base, msgs[0])
	}
	link := m[1]
	if p := b.get(link); p.status != 200 || p.url != link {
		t.Fatalf("GET of the link: %d at %s", p.status, p.url)
	}
	p := b.post(link, link, nil)
	if p.url != "/incidents" {
		t.Fatalf("link sign-in landed on %s (%d)", p.url, p.status)
	}
	has(t, b.get("/sessions"), "e-mail link")
	again := s.browser()
	if p := again.post(link, link, nil); p.status != http.StatusUnauthorized {
		t.Fatalf("second use of the link: %d", p.status)
	}
}

// A deactivated user's browser loses its session and cannot sign in again.
func TestDeactivatedUserSignedOut(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.member2)
	if _, err := s.e.Accounts.Deactivate(s.ctx, s.orgAdmin, s.member2.ID); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/incidents"); p.url != "/signin" {
		t.Fatalf("deactivated user's browser at %s", p.url)
	}
	p := b.post("/signin", "/signin", url.Values{"email": {s.member2.Email}, "password": {password}})
	if p.status != http.StatusUnauthorized {
		t.Fatalf("deactivated sign-in: %d", p.status)
	}
}

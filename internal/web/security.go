package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
)

const (
	sessionCookie = "supportd_session"
	// preCookie carries a random secret for visitors not signed in, so the sign-in forms carry a
	// CSRF token too (no one can sign a victim in to the attacker's account).
	preCookie  = "supportd_pre"
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	reqKey     = "web.request"
)

// request is what the middleware learned about a request.
type request struct {
	nonce   string
	user    *accounts.User
	session *accounts.Session
	secret  string // the session's secret, or the visitor's pre-session secret
	lang    string
	zone    *time.Location
}

func reqOf(c *fiber.Ctx) *request {
	r, _ := c.Locals(reqKey).(*request)
	if r == nil {
		r = &request{}
		c.Locals(reqKey, r)
	}
	return r
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// secure sets the security headers, with a fresh nonce per response: only scripts and styles
// carrying it run, so injected markup cannot run script.
func (s *Server) secure(c *fiber.Ctx) error {
	r := reqOf(c)
	r.nonce = randomString(18)
	c.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+r.nonce+"'; style-src 'self' 'nonce-"+r.nonce+
		"'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cache-Control", "no-store")
	return c.Next()
}

// identify resumes the session named by the cookie, if any, and picks the language and zone. A
// page that needs a user sends visitors to sign in; every POST must carry the CSRF token of the
// session (or of the visitor's pre-session cookie), as a form field or an X-CSRF-Token header
// (htmx), or is refused with 403.
func (s *Server) identify(needUser bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r := reqOf(c)
		if secret := c.Cookies(sessionCookie); secret != "" {
			u, sess, err := s.deps.Accounts.ResumeSession(c.UserContext(), secret, s.deps.Sessions)
			if err == nil {
				r.user, r.session, r.secret = &u, &sess, secret
			} else {
				s.clearCookie(c, sessionCookie)
			}
		}
		r.lang = s.language(c, r.user)
		r.zone = s.deps.Zone
		if r.user != nil && r.user.TimeZone != "" {
			if loc, err := time.LoadLocation(r.user.TimeZone); err == nil {
				r.zone = loc
			}
		}
		if r.user == nil {
			if needUser {
				return c.Redirect("/signin?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			r.secret = c.Cookies(preCookie)
			if len(r.secret) < 20 {
				r.secret = randomString(32)
				s.setCookie(c, preCookie, r.secret, time.Time{})
			}
		}
		if c.Method() == fiber.MethodPost {
			sent := c.FormValue(csrfField)
			if sent == "" {
				sent = c.Get(csrfHeader)
			}
			if subtle.ConstantTimeCompare([]byte(sent), []byte(accounts.CSRFToken(r.secret))) != 1 {
				return s.fail(c, fiber.StatusForbidden, "error.csrf")
			}
		}
		return c.Next()
	}
}

// language is the user's setting, else the browser's preference among the catalogues.
func (s *Server) language(c *fiber.Ctx, u *accounts.User) string {
	if u != nil && u.Locale != "" {
		return u.Locale
	}
	if l := c.AcceptsLanguages("ja", "en"); l != "" {
		return l
	}
	return languages[0]
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", Expires: expires, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https"})
}

// localPath keeps a post-sign-in destination on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}

func (s *Server) client(c *fiber.Ctx) accounts.Client {
	return accounts.Client{UserAgent: c.Get(fiber.HeaderUserAgent), IP: c.IP()}
}

package web

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

type signinData struct {
	Email string
	Next  string
	OIDC  bool // staff may sign in through the configured OpenID Connect provider
}

func (s *Server) signinPage(c *fiber.Ctx) error {
	if reqOf(c).user != nil {
		return c.Redirect(localPath(c.Query("next", "/")), fiber.StatusSeeOther)
	}
	return s.show(c, fiber.StatusOK, "signin", s.page(c, "", "signin.title", signinData{Next: localPath(c.Query("next", "/")), OIDC: s.oidc != nil}))
}

func (s *Server) signin(c *fiber.Ctx) error {
	d := signinData{Email: strings.TrimSpace(c.FormValue("email")), Next: localPath(c.FormValue("next")), OIDC: s.oidc != nil}
	u, secret, sess, err := s.deps.Accounts.SignIn(c.UserContext(), d.Email, c.FormValue("password"), s.client(c), s.deps.Sessions)
	if err != nil {
		p := s.page(c, "", "signin.title", d)
		status := fiber.StatusUnauthorized
		p.Error = "error.invalid_credentials"
		if apperr.Is(err, "sign_in_throttled") {
			status, p.Error = fiber.StatusTooManyRequests, "error.sign_in_throttled"
		} else if !apperr.Is(err, "invalid_credentials") {
			return err
		}
		return s.show(c, status, "signin", p)
	}
	s.started(c, secret, sess)
	return c.Redirect(s.home(u, d.Next), fiber.StatusSeeOther)
}

// started sets the session cookie and drops the visitor's pre-session secret.
func (s *Server) started(c *fiber.Ctx, secret string, sess accounts.Session) {
	s.setCookie(c, sessionCookie, secret, sess.ExpiresAt)
	s.clearCookie(c, preCookie)
}

// home is where a user lands after sign-in: next if given, else their role's start page.
func (s *Server) home(u accounts.User, next string) string {
	if next != "" && next != "/" {
		return next
	}
	if u.Role.Customer() {
		return "/incidents"
	}
	return "/queue"
}

func (s *Server) root(c *fiber.Ctx) error {
	return c.Redirect(s.home(*reqOf(c).user, ""), fiber.StatusSeeOther)
}

func (s *Server) signout(c *fiber.Ctx) error {
	if err := s.deps.Accounts.EndSession(c.UserContext(), reqOf(c).secret); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect("/signin?done=signed_out", fiber.StatusSeeOther)
}

type linkData struct {
	Email string
	Sent  bool
	Token string
}

func (s *Server) linkPage(c *fiber.Ctx) error {
	return s.show(c, fiber.StatusOK, "link", s.page(c, "", "link.title", linkData{}))
}

// requestLink e-mails a sign-in link when the address is a customer's. The answer is the same
// page whether or not a link was sent, so it does not reveal which addresses exist; the mail is
// sent after the answer, so its timing does not either.
func (s *Server) requestLink(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	u, token, ok, err := s.deps.Accounts.RequestLink(c.UserContext(), email)
	if err != nil {
		return err
	}
	if ok {
		lang := reqOf(c).lang
		if u.Locale != "" {
			lang = u.Locale
		}
		go s.mailLink(u, token, lang)
	}
	return s.show(c, fiber.StatusOK, "link", s.page(c, "", "link.title", linkData{Email: email, Sent: true}))
}

func (s *Server) mailLink(u accounts.User, token, lang string) {
	if s.deps.Mailer == nil {
		s.deps.Log.Warn("sign-in link not sent: SMTP_URL is not set", "user_id", u.ID)
		return
	}
	cat := s.views.cats[lang]
	link := strings.TrimRight(s.deps.PublicURL, "/") + "/signin/link/" + url.PathEscape(token)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.deps.Mailer.Send(ctx, escalation.Email{To: u.Email, Subject: cat.T("mail.link.subject"),
		Body: cat.T("mail.link.body", u.Name, link, int(accounts.LinkTTL/time.Minute))}, s.deps.Clock.Now())
	if err != nil {
		s.deps.Log.Error("sign-in link not sent", "user_id", u.ID, "err", err)
	}
}

// linkConfirm shows a button that spends the link: a GET never signs in, so mail scanners that
// fetch links do not use them up.
func (s *Server) linkConfirm(c *fiber.Ctx) error {
	return s.show(c, fiber.StatusOK, "link_confirm", s.page(c, "", "link.title", linkData{Token: c.Params("token")}))
}

func (s *Server) useLink(c *fiber.Ctx) error {
	u, secret, sess, err := s.deps.Accounts.UseLink(c.UserContext(), c.Params("token"), s.client(c), s.deps.Sessions)
	if apperr.Is(err, "invalid_link") {
		p := s.page(c, "", "link.title", linkData{})
		p.Error = "error.invalid_link"
		return s.show(c, fiber.StatusUnauthorized, "link", p)
	}
	if err != nil {
		return err
	}
	s.started(c, secret, sess)
	return c.Redirect(s.home(u, ""), fiber.StatusSeeOther)
}

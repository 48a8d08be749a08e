package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

// page is what every template gets: the request's language, nonce, CSRF token, user and zone,
// and the view's own data in D.
type page struct {
	Lang  string
	Nonce string
	CSRF  string
	User  *accounts.User
	Zone  *time.Location
	Nav   string // the menu entry to mark current
	Title string // a message key
	Flash string // a message key, after a successful action
	Error string // a message key
	// Detail is the domain's own explanation of an error (English), shown under Error.
	Detail string
	D      any
}

// Staff reports whether the viewer is vendor staff, for the role-based menu.
func (p page) Staff() bool { return p.User != nil && p.User.Role.Staff() }

// Customer reports whether the viewer is a customer user.
func (p page) Customer() bool { return p.User != nil && p.User.Role.Customer() }

func (s *Server) page(c *fiber.Ctx, nav, title string, d any) page {
	r := reqOf(c)
	p := page{Lang: r.lang, Nonce: r.nonce, CSRF: accounts.CSRFToken(r.secret), User: r.user, Zone: r.zone, Nav: nav, Title: title, D: d}
	if p.Lang == "" {
		p.Lang = languages[0]
	}
	if p.Zone == nil {
		p.Zone = s.deps.Zone
	}
	if f := c.Query("done"); flashes[f] {
		p.Flash = "flash." + f
	}
	return p
}

// flashes are the confirmations a redirect may ask for (?done=…); anything else is ignored.
var flashes = map[string]bool{"replied": true, "reopened": true, "confirmed": true, "escalated": true, "reclassification": true,
	"opened": true, "revoked": true, "password": true, "preferences": true, "signed_out": true}

// show renders a whole page.
func (s *Server) show(c *fiber.Ctx, status int, view string, p page) error {
	return s.exec(c, status, view, "layout", p)
}

func (s *Server) exec(c *fiber.Ctx, status int, view, tmpl string, p page) error {
	b, err := s.views.render(p.Lang, view, tmpl, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(b)
}

// fail renders the error page with a message key.
func (s *Server) fail(c *fiber.Ctx, status int, key string) error {
	p := s.page(c, "", "error.title", nil)
	p.Error = key
	return s.show(c, status, "error", p)
}

// wrap turns a handler's error into a page: not signed in → the sign-in page, not found → 404,
// forbidden → 403, anything unexpected → a generic 500, logged with the request.
func (s *Server) wrap(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := h(c)
		if err == nil {
			return nil
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) {
			var fe *fiber.Error
			if errors.As(err, &fe) && fe.Code < 500 {
				return s.fail(c, fe.Code, "error.bad_request")
			}
			ae = &apperr.Error{Kind: apperr.Internal, Err: err}
		}
		switch ae.Kind {
		case apperr.Unauthorized:
			return c.Redirect("/signin", fiber.StatusSeeOther)
		case apperr.NotFound:
			return s.fail(c, fiber.StatusNotFound, "error.not_found")
		case apperr.Forbidden:
			return s.fail(c, fiber.StatusForbidden, "error.forbidden")
		case apperr.Internal, apperr.Unavailable:
			s.deps.Log.Error("web page failed", "path", c.Path(), "request_id", c.Locals("requestid"), "err", err)
			return s.fail(c, fiber.StatusInternalServerError, "error.internal")
		}
		p := s.page(c, "", "error.title", nil)
		p.Error, p.Detail = "error.rejected", ae.Message
		return s.show(c, fiber.StatusUnprocessableEntity, "error", p)
	}
}

// errorKey is the catalogue key for a domain error code the pages explain in the user's
// language; other codes fall back to a generic sentence with the domain's (English) detail.
func errorKey(err error) (key, detail string) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return "error.internal", ""
	}
	if known[ae.Code] {
		return "error." + ae.Code, ae.Message
	}
	return "error.rejected", ae.Message
}

var known = map[string]bool{"escalation_not_available": true, "already_escalated": true, "out_of_scope": true,
	"incident_resolved": true, "invalid_value": true, "entitlement_expired": true, "entitlement_not_started": true,
	"no_entitlement": true, "product_not_covered": true, "perpetual_without_maintenance": true, "wrong_password": true,
	"invalid_credentials": true, "sign_in_throttled": true, "invalid_link": true, "not_resolved": true, "forbidden": true,
	"reclassification_not_available": true, "already_requested": true,
	"resolution_confirmed": true, "already_confirmed": true}

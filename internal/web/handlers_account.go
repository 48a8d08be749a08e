package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

type sessionsData struct {
	Sessions []accounts.Session
	Current  uuid.UUID
}

func (s *Server) sessionsPage(c *fiber.Ctx) error {
	r := reqOf(c)
	list, err := s.deps.Accounts.ListSessions(c.UserContext(), r.user.ID, s.deps.Sessions)
	if err != nil {
		return err
	}
	return s.show(c, fiber.StatusOK, "sessions", s.page(c, "sessions", "sessions.title", sessionsData{Sessions: list, Current: r.session.ID}))
}

func (s *Server) revokeSession(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("session not found")
	}
	r := reqOf(c)
	if err := s.deps.Accounts.RevokeSession(c.UserContext(), r.user.ID, id); err != nil {
		return err
	}
	if id == r.session.ID {
		s.clearCookie(c, sessionCookie)
		return c.Redirect("/signin?done=signed_out", fiber.StatusSeeOther)
	}
	return c.Redirect("/sessions?done=revoked", fiber.StatusSeeOther)
}

type accountData struct {
	HasPassword bool
	Zones       []string
}

// zones offered on the account page; any IANA name is accepted by the domain.
var zones = []string{"Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Kolkata",
	"Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Australia/Sydney"}

func (s *Server) accountPage(c *fiber.Ctx) error {
	return s.showAccount(c, fiber.StatusOK, "", "")
}

func (s *Server) showAccount(c *fiber.Ctx, status int, errKey, detail string) error {
	has, err := s.deps.Accounts.HasPassword(c.UserContext(), reqOf(c).user.ID)
	if err != nil {
		return err
	}
	p := s.page(c, "account", "account.title", accountData{HasPassword: has, Zones: zones})
	p.Error, p.Detail = errKey, detail
	return s.show(c, status, "account", p)
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	r := reqOf(c)
	if c.FormValue("password") != c.FormValue("password_again") {
		return s.showAccount(c, fiber.StatusUnprocessableEntity, "error.password_mismatch", "")
	}
	err := s.deps.Accounts.SetPassword(c.UserContext(), *r.user, r.user.ID, c.FormValue("current_password"), c.FormValue("password"), &r.session.ID)
	if apperr.Is(err, "wrong_password") || apperr.Is(err, "invalid_value") {
		key, _ := errorKey(err)
		if apperr.Is(err, "invalid_value") {
			key = "error.password_length"
		}
		return s.showAccount(c, fiber.StatusUnprocessableEntity, key, "")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/account?done=password", fiber.StatusSeeOther)
}

func (s *Server) savePreferences(c *fiber.Ctx) error {
	err := s.deps.Accounts.UpdatePreferences(c.UserContext(), reqOf(c).user.ID, c.FormValue("locale"), c.FormValue("time_zone"))
	if apperr.Is(err, "invalid_value") {
		return s.showAccount(c, fiber.StatusUnprocessableEntity, "error.invalid_value", "")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/account?done=preferences", fiber.StatusSeeOther)
}

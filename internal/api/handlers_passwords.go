package api

import (
	"github.com/gofiber/fiber/v2"
)

type passwordRequest struct {
	Password        string `json:"password" required:"true"`
	CurrentPassword string `json:"current_password"`
}

// setPassword sets a user's web sign-in password: admins for anyone, org admins for their
// organisation's users, a user for themselves with current_password (if they have one). It
// revokes the user's browser sessions.
func (s *Server) setPassword(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Accounts.SetPassword(c.UserContext(), caller(c), id, req.CurrentPassword, req.Password, nil); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
)

func (s *Server) listNotifications(c *fiber.Ctx) error {
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return apperr.InvalidField("limit", "limit must be 1–500")
		}
		limit = n
	}
	items, err := s.deps.Inbox.List(c.UserContext(), caller(c), c.Query("unread") == "true", limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *Server) readNotification(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Inbox.MarkRead(c.UserContext(), caller(c).ID, id, s.deps.Clock.Now()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

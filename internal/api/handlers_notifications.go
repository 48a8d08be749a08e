package api

import (
	"github.com/gofiber/fiber/v2"
)

func (s *Server) listNotifications(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Inbox.List(c.UserContext(), caller(c), c.Query("unread") == "true", req)
	if err != nil {
		return err
	}
	return c.JSON(paged(items, next, toNotificationWire))
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

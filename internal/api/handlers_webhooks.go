package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
)

type webhookRequest struct {
	Name           string     `json:"name"`
	URL            string     `json:"url" required:"true" format:"uri"`
	Events         []string   `json:"events"`
	Secret         string     `json:"secret"`
	OrganizationID *uuid.UUID `json:"organization_id"`
}

func (s *Server) createWebhook(c *fiber.Ctx) error {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	h, secret, err := s.deps.Webhooks.Create(c.UserContext(), caller(c),
		escalation.NewWebhook{Name: req.Name, URL: req.URL, Events: req.Events, Secret: req.Secret, OrganizationID: req.OrganizationID})
	if err != nil {
		return err
	}
	// The secret must not linger in a proxy's or browser's cache.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(withSecret(toWebhookWire(h), secret))
}

func (s *Server) listWebhooks(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Webhooks.List(c.UserContext(), caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(paged(items, next, toWebhookWire))
}

func (s *Server) deleteWebhook(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Webhooks.Deactivate(c.UserContext(), caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

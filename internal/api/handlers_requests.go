package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) requestEscalation(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Level  int    `json:"level"`
		Reason string `json:"reason"`
	}
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	inc, err := s.deps.Incidents.RequestEscalation(c.UserContext(), caller(c), id, req.Level, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inc)
}

func (s *Server) agreeRemediation(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Plan      string    `json:"plan"`
		ResolveBy time.Time `json:"resolve_by"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inc, err := s.deps.Incidents.AgreeRemediation(c.UserContext(), caller(c), id, req.Plan, req.ResolveBy)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Server) requestReclassification(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, inc, err := s.deps.Incidents.RequestReclassification(c.UserContext(), caller(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"request": r, "incident": inc})
}

func (s *Server) decideReclassification(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var req struct {
			Reason string `json:"reason"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, inc, err := s.deps.Incidents.DecideReclassification(c.UserContext(), caller(c), id, approve, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"request": r, "incident": inc})
	}
}

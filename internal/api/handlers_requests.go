package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// escalationRequest asks for an escalation (level 0: the next one the policy allows).
type escalationRequest struct {
	Level  int    `json:"level"`
	Reason string `json:"reason"`
}

// remediationRequest answers a formal escalation request.
type remediationRequest struct {
	Plan      string    `json:"plan" required:"true"`
	ResolveBy time.Time `json:"resolve_by" required:"true"`
}

// reasonRequest is a body that only gives a reason.
type reasonRequest struct {
	Reason string `json:"reason" required:"true"`
}

func (s *Server) requestEscalation(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req escalationRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	inc, err := s.deps.Incidents.RequestEscalation(c.UserContext(), caller(c), id, req.Level, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toIncidentWire(inc))
}

func (s *Server) agreeRemediation(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req remediationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inc, err := s.deps.Incidents.AgreeRemediation(c.UserContext(), caller(c), id, req.Plan, req.ResolveBy)
	if err != nil {
		return err
	}
	return c.JSON(toIncidentWire(inc))
}

func (s *Server) requestReclassification(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, inc, err := s.deps.Incidents.RequestReclassification(c.UserContext(), caller(c), id, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toReclassificationWire(r, inc))
}

func (s *Server) decideReclassification(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var req reasonRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, inc, err := s.deps.Incidents.DecideReclassification(c.UserContext(), caller(c), id, approve, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(toReclassificationWire(r, inc))
	}
}

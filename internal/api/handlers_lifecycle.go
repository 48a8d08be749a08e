package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/tickets"
)

type messageRequest struct {
	Message    string     `json:"message"`
	Body       string     `json:"body"`
	Public     *bool      `json:"public"`
	Reason     string     `json:"reason"`
	Resolution string     `json:"resolution"`
	AssigneeID *uuid.UUID `json:"assignee_id"`
}

// lifecycle wraps one incident action: decode an optional body, run, answer with the incident.
func (s *Server) lifecycle(run func(c *fiber.Ctx, u accounts.User, id uuid.UUID, req messageRequest) (tickets.Incident, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var req messageRequest
		if len(c.Body()) > 0 {
			if err := decodeJSON(c, &req); err != nil {
				return err
			}
		}
		inc, err := run(c, caller(c), id, req)
		if err != nil {
			return err
		}
		return c.JSON(inc)
	}
}

func (s *Server) acknowledge() fiber.Handler {
	return s.lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r messageRequest) (tickets.Incident, error) {
		return s.deps.Incidents.Acknowledge(c.UserContext(), u, id, r.Message)
	})
}

func (s *Server) postUpdate() fiber.Handler {
	return s.lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r messageRequest) (tickets.Incident, error) {
		body := r.Body
		if body == "" {
			body = r.Message
		}
		public := r.Public == nil || *r.Public
		return s.deps.Incidents.PostUpdate(c.UserContext(), u, id, body, public)
	})
}

func (s *Server) assign() fiber.Handler {
	return s.lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r messageRequest) (tickets.Incident, error) {
		who := u.ID
		if r.AssigneeID != nil {
			who = *r.AssigneeID
		}
		return s.deps.Incidents.Assign(c.UserContext(), u, id, who)
	})
}

func (s *Server) wait() fiber.Handler {
	return s.lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r messageRequest) (tickets.Incident, error) {
		return s.deps.Incidents.Wait(c.UserContext(), u, id, r.Reason)
	})
}

func (s *Server) resolve() fiber.Handler {
	return s.lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r messageRequest) (tickets.Incident, error) {
		res := r.Resolution
		if res == "" {
			res = r.Message
		}
		return s.deps.Incidents.Resolve(c.UserContext(), u, id, res)
	})
}

func (s *Server) reopen() fiber.Handler {
	return s.lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r messageRequest) (tickets.Incident, error) {
		return s.deps.Incidents.Reopen(c.UserContext(), u, id, r.Reason)
	})
}

type patchRequest struct {
	Severity *int           `json:"severity"`
	Scope    *tickets.Scope `json:"scope"`
	Reason   string         `json:"reason"`
}

func (s *Server) patchIncident(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req patchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inc, err := s.deps.Incidents.Patch(c.UserContext(), caller(c), id, req.Severity, req.Scope, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(inc)
}

func (s *Server) listEscalations(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	items, next, err := s.deps.Escalations.Mine(c.UserContext(), caller(c).ID, c.Query("pending") == "true", req)
	if err != nil {
		return err
	}
	return c.JSON(listed(items, next, nil))
}

func (s *Server) acknowledgeEscalation(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.deps.Escalations.Acknowledge(c.UserContext(), caller(c).ID, id, s.deps.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(e)
}

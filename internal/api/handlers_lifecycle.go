package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

// The body of each incident action: only the fields it takes, so a field meant for another
// action (or misspelt) is an unknown_field, never silently dropped.
type (
	acknowledgeRequest struct {
		Message string `json:"message" doc:"added to the first-response text, which states the severity and the engineer"` // added to the first-response text
	}
	updateRequest struct {
		Body    string `json:"body" doc:"the update (required; message is accepted instead)"`
		Message string `json:"message" doc:"the same as body"` // the same as body, for clients that send message
		Public  *bool  `json:"public" doc:"false: an internal note (staff only); default true"`
	}
	assignRequest struct {
		AssigneeID *uuid.UUID `json:"assignee_id" doc:"the engineer or support manager (default: the caller)"`
	}
	// waitRequest carries what the waiting request asks of the customer; reason is the same,
	// kept for clients written before message.
	waitRequest struct {
		Message string `json:"message" doc:"what the waiting request asks of the customer; customer-visible on the timeline"`
		Reason  string `json:"reason" doc:"the same as message, for older clients"`
	}
	resolveRequest struct {
		Resolution string `json:"resolution" doc:"how it was resolved; customer-visible"`
		Message    string `json:"message" doc:"the same as resolution"` // the same as resolution
	}
	confirmRequest struct {
		Message string `json:"message" doc:"optional; customer-visible"`
	}
	reopenRequest struct {
		Reason  string `json:"reason" doc:"why it is reopened; customer-visible"`
		Message string `json:"message" doc:"the same as reason"` // the same as reason
	}
)

// oneOf returns the text given under either of two names for the same field; both given and
// different is ambiguous.
func oneOf(a, aName, b, bName string) (string, error) {
	switch {
	case a == "":
		return b, nil
	case b == "" || a == b:
		return a, nil
	}
	return "", apperr.InvalidField(bName, "give %s or %s, not both", aName, bName)
}

// lifecycle wraps one incident action: decode its optional body, run, answer with the incident.
func lifecycle[R any](run func(c *fiber.Ctx, u accounts.User, id uuid.UUID, req R) (tickets.Incident, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var req R
		if err := decodeOptional(c, &req); err != nil {
			return err
		}
		inc, err := run(c, caller(c), id, req)
		if err != nil {
			return err
		}
		return c.JSON(toIncidentWire(inc))
	}
}

func (s *Server) acknowledge() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r acknowledgeRequest) (tickets.Incident, error) {
		return s.deps.Incidents.Acknowledge(c.UserContext(), u, id, r.Message)
	})
}

func (s *Server) postUpdate() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r updateRequest) (tickets.Incident, error) {
		body, err := oneOf(r.Body, "body", r.Message, "message")
		if err != nil {
			return tickets.Incident{}, err
		}
		public := r.Public == nil || *r.Public
		return s.deps.Incidents.PostUpdate(c.UserContext(), u, id, body, public)
	})
}

func (s *Server) assign() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r assignRequest) (tickets.Incident, error) {
		who := u.ID
		if r.AssigneeID != nil {
			who = *r.AssigneeID
		}
		return s.deps.Incidents.Assign(c.UserContext(), u, id, who)
	})
}

func (s *Server) wait() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r waitRequest) (tickets.Incident, error) {
		msg, err := oneOf(r.Message, "message", r.Reason, "reason")
		if err != nil {
			return tickets.Incident{}, err
		}
		return s.deps.Incidents.Wait(c.UserContext(), u, id, msg)
	})
}

func (s *Server) resolve() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r resolveRequest) (tickets.Incident, error) {
		res, err := oneOf(r.Resolution, "resolution", r.Message, "message")
		if err != nil {
			return tickets.Incident{}, err
		}
		return s.deps.Incidents.Resolve(c.UserContext(), u, id, res)
	})
}

func (s *Server) confirmResolution() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r confirmRequest) (tickets.Incident, error) {
		return s.deps.Incidents.ConfirmResolution(c.UserContext(), u, id, r.Message)
	})
}

func (s *Server) reopen() fiber.Handler {
	return lifecycle(func(c *fiber.Ctx, u accounts.User, id uuid.UUID, r reopenRequest) (tickets.Incident, error) {
		reason, err := oneOf(r.Reason, "reason", r.Message, "message")
		if err != nil {
			return tickets.Incident{}, err
		}
		return s.deps.Incidents.Reopen(c.UserContext(), u, id, reason)
	})
}

type patchRequest struct {
	Severity *int           `json:"severity"`
	Scope    *tickets.Scope `json:"scope"`
	Reason   string         `json:"reason" required:"true" doc:"why: required with every severity or scope change"`
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
	return c.JSON(toIncidentWire(inc))
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
	return c.JSON(paged(items, next, toEscalationWire))
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
	// The acknowledgement lands on the incident's timeline (staff-only), once per escalation.
	if err := s.deps.Incidents.NoteEscalationAcknowledged(c.UserContext(), caller(c), e.IncidentID, e.ID, e.Level); err != nil {
		return err
	}
	return c.JSON(toEscalationWire(e))
}

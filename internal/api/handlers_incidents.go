package api

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

func (s *Server) openIncident(c *fiber.Ctx) error {
	var req tickets.NewIncident
	if err := decodeJSON(c, &req); err != nil {
		if apperr.Is(err, "invalid_text") {
			// Refused, but what the customer typed is kept like every refused intake's.
			var ae *apperr.Error
			errors.As(err, &ae)
			s.deps.Incidents.KeepUnreadableIntake(c.UserContext(), caller(c), append([]byte(nil), c.Body()...), ae)
		}
		return err
	}
	req.Raw = append([]byte(nil), c.Body()...) // kept with a refused intake
	inc, replayed, err := s.deps.Incidents.Open(c.UserContext(), caller(c), req, c.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
	}
	return c.Status(fiber.StatusCreated).JSON(toIncidentWire(inc))
}

func (s *Server) getIncident(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inc, err := s.deps.Incidents.Get(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toIncidentWire(inc))
}

func (s *Server) timeline(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	evs, next, err := s.deps.Incidents.TimelinePage(c.UserContext(), caller(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(timelineWire{IncidentID: id, Events: s.withAuthors(c, evs), Next: next})
}

func (s *Server) listIncidents(c *fiber.Ctx) error {
	f := tickets.Filter{Status: tickets.Status(c.Query("status")), Tier: c.Query("tier"), Product: c.Query("product"),
		Search: c.Query("q"), Mine: c.Query("mine") == "true"}
	if v := c.Query("severity"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 4 {
			return apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
		}
		f.Severity = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return apperr.InvalidField("limit", "limit must be a positive integer")
		}
		f.Limit = n
	}
	if v := c.Query("organization_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return apperr.InvalidField("organization_id", "organization_id must be a UUID")
		}
		f.OrganizationID = &id
	}
	d, err := dueWithin(c)
	if err != nil {
		return err
	}
	f.DueWithin = d
	if v := c.Query("cursor"); v != "" {
		cur, err := tickets.ParseCursor(v)
		if err != nil {
			return err
		}
		f.After = &cur
	}
	page, err := s.deps.Incidents.List(c.UserContext(), caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(incidentPage{Items: toIncidentWires(page.Items), Next: page.Next})
}

// withAuthors names each entry's actor, looking each one up once per page.
func (s *Server) withAuthors(c *fiber.Ctx, evs []tickets.Event) []timelineEntry {
	names := map[uuid.UUID]*author{}
	out := make([]timelineEntry, len(evs))
	for i, e := range evs {
		out[i] = timelineEntry{ID: e.ID, IncidentID: e.IncidentID, Kind: e.Kind, ActorID: e.ActorID, At: e.At, Data: e.Data}
		if e.ActorID == nil {
			continue
		}
		a, ok := names[*e.ActorID]
		if !ok {
			if u, err := s.deps.Accounts.FindUserByID(c.UserContext(), *e.ActorID); err == nil {
				a = &author{ID: u.ID, Name: u.Name}
			}
			names[*e.ActorID] = a
		}
		out[i].Author = a
	}
	return out
}

package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// policyRequest is PUT /v1/policies/{tier}: cells merged onto the tier's current policy.
type policyRequest struct {
	Cells []catalog.Cell `json:"cells" required:"true"`
}

func (s *Server) listPolicies(c *fiber.Ctx) error {
	ps, err := s.deps.Catalog.Policies(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(itemsOnly[policyWire]{Items: mapEach(ps, toPolicyWire)})
}

func (s *Server) putPolicy(c *fiber.Ctx) error {
	tier, err := sla.ParseTier(c.Params("tier"))
	if err != nil {
		return apperr.NotFoundf("no such tier")
	}
	var req policyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.deps.Catalog.PutPolicy(c.UserContext(), caller(c).ID, tier, req.Cells)
	if err != nil {
		return err
	}
	return c.JSON(toPolicyWire(p))
}

func (s *Server) listCalendars(c *fiber.Ctx) error {
	cs, err := s.deps.Catalog.ListCalendars(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(itemsOnly[catalog.Calendar]{Items: cs})
}

func (s *Server) putCalendar(c *fiber.Ctx) error {
	var req catalog.Calendar
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cal, err := s.deps.Catalog.PutCalendar(c.UserContext(), caller(c).ID, c.Params("name"), req)
	if err != nil {
		return err
	}
	return c.JSON(cal)
}

func (s *Server) previewSLA(c *fiber.Ctx) error {
	var req previewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	res, err := s.deps.Catalog.Preview(c.UserContext(), req.toPreview())
	if err != nil {
		return err
	}
	return c.JSON(toPreviewWire(res))
}

package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
)

func (s *Server) listOrganizations(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	orgs, next, err := s.deps.Accounts.ListOrganizations(c.UserContext(), caller(c), req)
	if err != nil {
		return err
	}
	return c.JSON(paged(orgs, next, toOrganizationWire))
}

func (s *Server) listStaff(c *fiber.Ctx) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	f := accounts.StaffFilter{Role: accounts.Role(c.Query("role")), Office: c.Query("office")}
	users, next, err := s.deps.Accounts.ListStaff(c.UserContext(), caller(c), f, req)
	if err != nil {
		return err
	}
	return c.JSON(paged(users, next, toUserWire))
}

func (s *Server) incidentByReference(c *fiber.Ctx) error {
	inc, err := s.deps.Incidents.GetByReference(c.UserContext(), caller(c), c.Params("ref"))
	if err != nil {
		return err
	}
	return c.JSON(toIncidentWire(inc))
}

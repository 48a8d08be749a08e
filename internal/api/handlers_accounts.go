package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

func (s *Server) me(c *fiber.Ctx) error { return c.JSON(toUserWire(caller(c))) }

type organizationRequest struct {
	Name   string     `json:"name" required:"true"`
	Office string     `json:"office"`
	Tier   string     `json:"tier" enum:"standard|premium|platinum"`
	TSAMID *uuid.UUID `json:"tsam_id"`
}

func (s *Server) createOrganization(c *fiber.Ctx) error {
	var req organizationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	org, err := s.deps.Accounts.CreateOrganization(c.UserContext(), caller(c),
		accounts.NewOrganization{Name: req.Name, Office: req.Office, Tier: req.Tier, TSAMID: req.TSAMID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toOrganizationWire(org))
}

func (s *Server) getOrganization(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u := caller(c)
	if u.Role.Customer() && !u.InOrganization(id) {
		return apperr.NotFoundf("organization not found")
	}
	org, err := s.deps.Accounts.FindOrganizationByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toOrganizationWire(org))
}

type userRequest struct {
	Email          string     `json:"email" required:"true" format:"email"`
	Name           string     `json:"name" required:"true"`
	Role           string     `json:"role" enum:"member|org_admin|engineer|support_manager|executive|admin" required:"true"`
	Senior         bool       `json:"senior"`
	OrganizationID *uuid.UUID `json:"organization_id"`
	Office         string     `json:"office"`
}

func (s *Server) createUser(c *fiber.Ctx) error {
	var req userRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Accounts.CreateUser(c.UserContext(), caller(c), accounts.NewUser{Email: req.Email, Name: req.Name,
		Role: accounts.Role(req.Role), Senior: req.Senior, OrganizationID: req.OrganizationID, Office: req.Office})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toUserWire(u))
}

type tokenRequest struct {
	Label string `json:"label"`
}

func (s *Server) createToken(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	tok, err := s.deps.Accounts.CreateToken(c.UserContext(), caller(c), id, req.Label)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tokenWire{Token: tok, UserID: id})
}

// pathID parses the :id parameter. A malformed ID cannot name anything, so it is a 404 like any
// other unknown ID.
func pathID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, apperr.NotFoundf("not found")
	}
	return id, nil
}

func (s *Server) listOrganizationUsers(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	users, next, err := s.deps.Accounts.ListOrganizationUsers(c.UserContext(), caller(c), id, req)
	if err != nil {
		return err
	}
	return c.JSON(paged(users, next, toUserWire))
}

func (s *Server) deactivateUser(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	n, err := s.deps.Accounts.Deactivate(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(deactivatedWire{UserID: id, TokensRevoked: n})
}

func (s *Server) reactivateUser(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := s.deps.Accounts.Reactivate(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toUserWire(u))
}

package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

type groupRequest struct {
	Name           string     `json:"name" required:"true"`
	Description    string     `json:"description"`
	OrganizationID *uuid.UUID `json:"organization_id"`
}

func (s *Server) createGroup(c *fiber.Ctx) error {
	var req groupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.deps.Accounts.CreateGroup(c.UserContext(), caller(c),
		accounts.NewGroup{OrganizationID: req.OrganizationID, Name: req.Name, Description: req.Description})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toGroupWire(g))
}

func (s *Server) listGroups(c *fiber.Ctx) error {
	var org *uuid.UUID
	if v := c.Query("organization_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return apperr.InvalidField("organization_id", "organization_id must be a UUID")
		}
		org = &id
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	gs, next, err := s.deps.Accounts.ListGroupsPage(c.UserContext(), caller(c), org, req)
	if err != nil {
		return err
	}
	return c.JSON(paged(gs, next, toGroupWire))
}

func (s *Server) getGroup(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	g, err := s.deps.Accounts.FindGroup(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toGroupWire(g))
}

func (s *Server) deleteGroup(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := s.deps.Accounts.DeleteGroup(c.UserContext(), caller(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// groupAndUser parses /v1/groups/:id/members/:user_id.
func groupAndUser(c *fiber.Ctx) (group, user uuid.UUID, err error) {
	if group, err = pathID(c); err != nil {
		return
	}
	if user, err = uuid.Parse(c.Params("user_id")); err != nil {
		return uuid.Nil, uuid.Nil, apperr.NotFoundf("not found")
	}
	return group, user, nil
}

func (s *Server) addGroupMember(c *fiber.Ctx) error {
	gid, uid, err := groupAndUser(c)
	if err != nil {
		return err
	}
	g, err := s.deps.Accounts.AddGroupMember(c.UserContext(), caller(c), gid, uid)
	if err != nil {
		return err
	}
	return c.JSON(toGroupWire(g))
}

func (s *Server) removeGroupMember(c *fiber.Ctx) error {
	gid, uid, err := groupAndUser(c)
	if err != nil {
		return err
	}
	if err := s.deps.Accounts.RemoveGroupMember(c.UserContext(), caller(c), gid, uid); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type organizationPatch struct {
	IncidentVisibility *accounts.Visibility `json:"incident_visibility"`
	NotifyGroups       *bool                `json:"notify_groups"`
	Language           *string              `json:"language" enum:"ja|en|"`
	TSAMID             *uuid.UUID           `json:"tsam_id"` // admins; null or absent keeps it
}

func (s *Server) patchOrganization(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req organizationPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var org accounts.Organization
	if req.IncidentVisibility != nil || req.TSAMID != nil || (req.NotifyGroups == nil && req.Language == nil) {
		org, err = s.deps.Accounts.UpdateOrganization(c.UserContext(), caller(c), id,
			accounts.OrganizationPatch{IncidentVisibility: req.IncidentVisibility, TSAMID: req.TSAMID})
	} else {
		org, err = s.mayChangeOrganization(c, id)
	}
	if err != nil {
		return err
	}
	reply, err := s.organizationWithSettings(c, org, req.NotifyGroups, req.Language)
	if err != nil {
		return err
	}
	return c.JSON(reply)
}

package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

// follower is a follower on the wire.
type follower struct {
	UserID  uuid.UUID `json:"user_id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	AddedBy uuid.UUID `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

func toFollower(f escalation.Follower) follower {
	return follower{UserID: f.UserID, Name: f.Name, Email: f.Email, AddedBy: f.AddedBy, AddedAt: f.AddedAt}
}

// followersReply lists every follower; an empty list is [], never null.
func followersReply(list []escalation.Follower) itemsOnly[follower] {
	out := make([]follower, len(list))
	for i, f := range list {
		out[i] = toFollower(f)
	}
	return itemsOnly[follower]{Items: out}
}

func (s *Server) listFollowers(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inc, err := s.deps.Incidents.Get(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	list, next, err := s.deps.Followers.Page(c.UserContext(), inc, req)
	if err != nil {
		return err
	}
	return c.JSON(listPage[follower]{Items: followersReply(list).Items, Next: next})
}

func (s *Server) incidentAndUser(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	id, err := pathID(c)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	uid, err := uuid.Parse(c.Params("user_id"))
	if err != nil {
		return uuid.Nil, uuid.Nil, apperr.InvalidField("user_id", "user_id must be a UUID")
	}
	return id, uid, nil
}

func (s *Server) addFollower(c *fiber.Ctx) error {
	id, uid, err := s.incidentAndUser(c)
	if err != nil {
		return err
	}
	inc, err := s.deps.Incidents.Get(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	list, err := s.deps.Followers.Follow(c.UserContext(), caller(c), inc, uid)
	if err != nil {
		return err
	}
	return c.JSON(followersReply(list))
}

func (s *Server) removeFollower(c *fiber.Ctx) error {
	id, uid, err := s.incidentAndUser(c)
	if err != nil {
		return err
	}
	inc, err := s.deps.Incidents.Get(c.UserContext(), caller(c), id)
	if err != nil {
		return err
	}
	if err := s.deps.Followers.Unfollow(c.UserContext(), caller(c), inc, uid); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// preferences are a user's notification choices on the wire.
type preferences struct {
	EmailNotifications *bool   `json:"email_notifications"`
	Language           *string `json:"language" enum:"ja|en|"`
}

func (s *Server) patchMe(c *fiber.Ctx) error {
	var req preferences
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.EmailNotifications == nil && req.Language == nil {
		return apperr.InvalidField("email_notifications", "give email_notifications and/or language")
	}
	p, err := s.deps.Followers.SetUserPreferences(c.UserContext(), caller(c).ID, req.EmailNotifications, req.Language)
	if err != nil {
		return err
	}
	return c.JSON(preferences{EmailNotifications: &p.Email, Language: &p.Language})
}

func (s *Server) myPreferences(c *fiber.Ctx) error {
	p, err := s.deps.Followers.UserPreferences(c.UserContext(), caller(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(preferences{EmailNotifications: &p.Email, Language: &p.Language})
}

// organizationReply is an organisation with its notification settings.
type organizationReply struct {
	organizationWire
	NotifyGroups bool   `json:"notify_groups"`
	Language     string `json:"language" enum:"ja|en|"`
}

// organizationWithSettings changes the organisation's notification settings given (nil:
// unchanged; the caller's right was checked by UpdateOrganization or mayChangeOrganization) and
// returns the organisation with them.
func (s *Server) organizationWithSettings(c *fiber.Ctx, org accounts.Organization, notifyGroups *bool, language *string) (organizationReply, error) {
	ctx := c.UserContext()
	var (
		set escalation.OrganizationSettings
		err error
	)
	if notifyGroups != nil || language != nil {
		set, err = s.deps.Followers.SetOrganizationSettings(ctx, org.ID, notifyGroups, language)
	} else {
		set, err = s.deps.Followers.OrganizationSettings(ctx, org.ID)
	}
	return organizationReply{organizationWire: toOrganizationWire(org), NotifyGroups: set.NotifyGroups, Language: set.Language}, err
}

// mayChangeOrganization is UpdateOrganization's rule: admins any, an org admin their own
// (another is not_found).
func (s *Server) mayChangeOrganization(c *fiber.Ctx, id uuid.UUID) (accounts.Organization, error) {
	u := caller(c)
	if u.Role == accounts.OrgAdmin && !u.InOrganization(id) {
		return accounts.Organization{}, apperr.NotFoundf("organization not found")
	}
	if u.Role != accounts.Admin && u.Role != accounts.OrgAdmin {
		return accounts.Organization{}, apperr.New(apperr.Forbidden, "forbidden", "only admins change an organisation")
	}
	return s.deps.Accounts.FindOrganizationByID(c.UserContext(), id)
}

package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

const userKey = "supportd.user"

// authenticate resolves the bearer token to a user and checks the route's roles. A route with no
// roles is public.
func (s *Server) authenticate(roles []accounts.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return apperr.New(apperr.Unauthorized, "unauthorized", "send Authorization: Bearer <token>")
		}
		u, err := s.deps.Accounts.Authenticate(c.UserContext(), strings.TrimSpace(token))
		if err != nil {
			return err
		}
		if !allowed(roles, u.Role) {
			return apperr.New(apperr.Forbidden, "forbidden", "role %s may not call this route", u.Role)
		}
		c.Locals(userKey, u)
		return c.Next()
	}
}

func allowed(roles []accounts.Role, r accounts.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// caller returns the authenticated user of the request.
func caller(c *fiber.Ctx) accounts.User {
	u, _ := c.Locals(userKey).(accounts.User)
	return u
}

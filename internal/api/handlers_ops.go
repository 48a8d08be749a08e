package api

import (
	"context"
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(healthWire{Status: "ok"})
}

// readyz answers 200 only when every dependency answers within two seconds, so a load balancer
// stops sending traffic to an instance that cannot serve it.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	names := make([]string, 0, len(s.deps.Ready))
	for n := range s.deps.Ready {
		names = append(names, n)
	}
	sort.Strings(names)
	checks := map[string]string{}
	ok := true
	for _, n := range names {
		if err := s.deps.Ready[n](ctx); err != nil {
			checks[n] = "unavailable"
			ok = false
			s.deps.Log.Warn("readiness check failed", "check", n, "error", err)
			continue
		}
		checks[n] = "ok"
	}
	status := fiber.StatusOK
	state := "ok"
	if !ok {
		status, state = fiber.StatusServiceUnavailable, "unavailable"
	}
	return c.Status(status).JSON(healthWire{Status: state, Checks: checks})
}

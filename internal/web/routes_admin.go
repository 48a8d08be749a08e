package web

import "github.com/gofiber/fiber/v2"

// registerAdmin adds the admin pages (kept in their own file, like the staff pages).
func (s *Server) registerAdmin(get, post route, signedIn fiber.Handler) {
}

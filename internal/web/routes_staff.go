package web

import "github.com/gofiber/fiber/v2"

// registerStaff adds the engineer workspace and the manager view (routes_staff.go keeps them apart
// from the portal and admin pages, so each area grows in its own files). Each handler checks the
// role: a customer gets 404 on staff pages and actions, an engineer 403 on the manager's.
func (s *Server) registerStaff(get, post route, signedIn fiber.Handler) {
	post("/queue/claim", signedIn, s.claim)
	s.staffActions(get, post, signedIn)

	get("/manager", signedIn, s.managerPage)
	post("/manager/escalations/:id/acknowledge", signedIn, s.ackEscalation)
	post("/manager/reclassifications/:id", signedIn, s.decideReclassification)
	post("/manager/remediation/:id", signedIn, s.answerRemediation)
	get("/manager/report", signedIn, s.reportPage)
	get("/manager/report.csv", signedIn, s.reportCSV)
}

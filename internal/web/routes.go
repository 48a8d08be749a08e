package web

import (
	"embed"
	"io/fs"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"
)

//go:embed assets
var assetFS embed.FS

// Register adds every page to app. Public pages are the explicit list below (sign-in, the link
// flow, static assets); every other page needs a session, and every POST a CSRF token.
func (s *Server) Register(app *fiber.App) {
	public, signedIn := s.identify(false), s.identify(true)
	var get route = func(p string, auth fiber.Handler, h fiber.Handler) { app.Get(p, s.secure, auth, s.wrap(h)) }
	var post route = func(p string, auth fiber.Handler, h fiber.Handler) { app.Post(p, s.secure, auth, s.wrap(h)) }

	app.Get("/static/:file", s.asset)

	get("/signin", public, s.signinPage)
	post("/signin", public, s.signin)
	get("/signin/link", public, s.linkPage)
	post("/signin/link", public, s.requestLink)
	get("/signin/link/:token", public, s.linkConfirm)
	post("/signin/link/:token", public, s.useLink)

	get("/", signedIn, s.root)
	post("/signout", signedIn, s.signout)
	get("/sessions", signedIn, s.sessionsPage)
	post("/sessions/:id/revoke", signedIn, s.revokeSession)
	get("/account", signedIn, s.accountPage)
	post("/account/password", signedIn, s.changePassword)
	post("/account/preferences", signedIn, s.savePreferences)

	get("/incidents", signedIn, s.incidents)
	get("/incidents/new", signedIn, s.newIncident)
	post("/incidents", signedIn, s.openIncident)
	get("/incidents/:id", signedIn, s.incident)
	post("/incidents/:id/reply", signedIn, s.reply())
	post("/incidents/:id/reopen", signedIn, s.reopen())
	post("/incidents/:id/confirm", signedIn, s.confirm())
	post("/incidents/:id/escalation-request", signedIn, s.escalate())
	post("/incidents/:id/reclassification-request", signedIn, s.reclassify())
	get("/incidents/:id/attachments/:aid", signedIn, s.downloadAttachment)
	post("/incidents/:id/attachments", signedIn, s.addAttachments)
	get("/queue", signedIn, s.queue)

	s.registerStaff(get, post, signedIn)
	s.registerAdmin(get, post, signedIn)
}

// route adds one page: a path, the handler that identifies the caller, and the page itself.
type route func(path string, auth fiber.Handler, h fiber.Handler)

// asset serves an embedded file; names are fixed, so a long cache is safe only with a version,
// and these are small: they revalidate.
func (s *Server) asset(c *fiber.Ctx) error {
	name := path.Base(c.Params("file"))
	b, err := fs.ReadFile(assetFS, "assets/"+name)
	if err != nil || path.Ext(name) == ".md" || path.Ext(name) == ".LICENSE" {
		return c.SendStatus(fiber.StatusNotFound)
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(b)
}

package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets/inbound"
)

// AdminDeps are what the admin pages call besides the common Deps.
type AdminDeps struct {
	Catalog  *catalog.Catalog
	Webhooks *escalation.Webhooks
	// Mail is the e-mail channel (mailboxes); nil hides the mailbox page.
	Mail *inbound.Service
}

// adminViews are the admin pages' templates (checked at startup like every view).
var adminViews = []string{"admin_orgs", "admin_org", "admin_policies", "admin_calendars", "admin_calendar",
	"admin_webhooks", "admin_mailboxes", "org_home"}

func init() {
	viewNames = append(viewNames, adminViews...)
	for _, f := range []string{"org_created", "org_saved", "invited", "deactivated", "reactivated", "contract_created",
		"renewed", "extended", "policy_saved", "calendar_saved", "webhook_created", "webhook_deactivated", "mailbox_created",
		"mailbox_saved"} {
		flashes[f] = true
	}
	for _, k := range []string{"duration", "business_days", "none", "on_request"} {
		dynamicKeys = append(dynamicKeys, "admin.kind."+k)
	}
	for _, v := range []string{"organization", "own"} {
		dynamicKeys = append(dynamicKeys, "admin.visibility."+v)
	}
	for _, s := range []string{"new", "ok", "failing"} {
		dynamicKeys = append(dynamicKeys, "admin.mailbox.state."+s)
	}
	for _, d := range weekdays {
		dynamicKeys = append(dynamicKeys, "admin.day."+d)
	}
	dynamicKeys = append(dynamicKeys, "error.oidc", "error.oidc_no_staff_user", "admin.org.title", "org.title", "admin.calendar.title", "mail.invite.subject", "mail.invite.body")
	for _, t := range []string{"standard", "premium", "platinum"} {
		dynamicKeys = append(dynamicKeys, "tier."+t)
	}
}

// registerAdmin adds the admin pages (kept in their own file, like the staff pages): the
// vendor's admins manage organisations, users, contracts, policies, calendars, webhooks and
// mailboxes; an organisation's admins manage their own organisation under /organization.
func (s *Server) registerAdmin(get, post route, signedIn fiber.Handler) {
	get("/admin", signedIn, s.adminHome)
	get("/admin/organizations", signedIn, s.adminOrgs)
	post("/admin/organizations", signedIn, s.adminCreateOrg)
	get("/admin/organizations/:id", signedIn, s.adminOrg)
	post("/admin/organizations/:id", signedIn, s.adminSaveOrg)
	post("/admin/organizations/:id/users", signedIn, s.inviteUser)
	post("/admin/organizations/:id/contracts", signedIn, s.adminCreateContract)
	post("/admin/staff", signedIn, s.inviteStaff)
	post("/admin/users/:id/deactivate", signedIn, s.setUserActive(false))
	post("/admin/users/:id/reactivate", signedIn, s.setUserActive(true))
	post("/admin/contracts/:id/renew", signedIn, s.adminRenew)
	post("/admin/contracts/:id/extend", signedIn, s.adminExtend)
	get("/admin/policies", signedIn, s.adminPolicies)
	post("/admin/policies/:tier", signedIn, s.adminPolicyCell)
	get("/admin/calendars", signedIn, s.adminCalendars)
	get("/admin/calendars/:name", signedIn, s.adminCalendar)
	post("/admin/calendars/:name", signedIn, s.adminSaveCalendar)
	get("/admin/webhooks", signedIn, s.adminWebhooks)
	post("/admin/webhooks", signedIn, s.adminCreateWebhook)
	post("/admin/webhooks/:id/deactivate", signedIn, s.adminDeactivateWebhook)
	get("/admin/mailboxes", signedIn, s.adminMailboxes)
	post("/admin/mailboxes", signedIn, s.adminCreateMailbox)
	post("/admin/mailboxes/:id", signedIn, s.adminMailboxState)

	get("/organization", signedIn, s.orgHome)
	get("/signin/oidc", s.identify(false), s.oidcStart)
	get("/signin/oidc/callback", s.identify(false), s.oidcCallback)
	post("/organization/users", signedIn, s.inviteUser)
}

// admin is the signed-in vendor admin, or forbidden.
func admin(c *fiber.Ctx) (accounts.User, error) {
	u := reqOf(c).user
	if u == nil || u.Role != accounts.Admin {
		return accounts.User{}, apperr.New(apperr.Forbidden, "forbidden", "admins only")
	}
	return *u, nil
}

func (s *Server) adminHome(c *fiber.Ctx) error {
	if _, err := admin(c); err != nil {
		return err
	}
	return c.Redirect("/admin/organizations", fiber.StatusSeeOther)
}

func asAppErr(err error, target **apperr.Error) bool { return errors.As(err, target) }

func asFieldError(err error, target **sla.FieldError) bool { return errors.As(err, target) }

// Admin reports whether the viewer is a vendor admin, for the menu.
func (p page) Admin() bool { return p.User != nil && p.User.Role == accounts.Admin }

// OrgAdmin reports whether the viewer is an organisation's admin, for the menu.
func (p page) OrgAdmin() bool { return p.User != nil && p.User.Role == accounts.OrgAdmin }

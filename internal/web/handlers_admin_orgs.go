package web

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	paging "github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla/entitlement"
)

// userTable is the users table with deactivate/reactivate buttons (template "userrows").
type userTable struct {
	Users []accounts.User
	CSRF  string
	Back  string // the page to return to
	Self  uuid.UUID
	Zone  *time.Location
}

func (s *Server) userTable(c *fiber.Ctx, users []accounts.User, back string) userTable {
	r := reqOf(c)
	return userTable{Users: users, CSRF: accounts.CSRFToken(r.secret), Back: back, Self: r.user.ID, Zone: r.zone}
}

type orgsData struct {
	StaffTable userTable
	Orgs       []accounts.Organization
	Next       string
	TSAMs      []accounts.User
	Staff      []accounts.User
	// Form is what the admin typed, shown again when it was refused.
	Form map[string]string
}

var staffRoles = []string{string(accounts.Engineer), string(accounts.SupportManager), string(accounts.Executive), string(accounts.Admin)}

func (s *Server) adminOrgs(c *fiber.Ctx) error { return s.showOrgs(c, fiber.StatusOK, nil, nil) }

func (s *Server) showOrgs(c *fiber.Ctx, status int, form map[string]string, failure error) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	req := paging.Request{Limit: 50}
	if v := c.Query("cursor"); v != "" {
		if cur, err := paging.ParseCursor(v); err == nil {
			req.Cursor = &cur
		}
	}
	ctx := c.UserContext()
	d := orgsData{Form: form}
	if d.Orgs, d.Next, err = s.deps.Accounts.ListOrganizations(ctx, a, req); err != nil {
		return err
	}
	if d.TSAMs, err = s.tsams(ctx, a); err != nil {
		return err
	}
	if d.Staff, _, err = s.deps.Accounts.ListStaff(ctx, a, accounts.StaffFilter{}, paging.Request{Limit: paging.MaxLimit}); err != nil {
		return err
	}
	d.StaffTable = s.userTable(c, d.Staff, "/admin/organizations")
	p := s.page(c, "admin", "admin.orgs.title", d)
	if failure != nil {
		p.Error, p.Detail = errorKey(failure)
	}
	return s.show(c, status, "admin_orgs", p)
}

// tsams are the staff who may be an organisation's TSAM: support managers and executives.
func (s *Server) tsams(ctx context.Context, a accounts.User) ([]accounts.User, error) {
	var out []accounts.User
	for _, r := range []accounts.Role{accounts.SupportManager, accounts.Executive} {
		us, _, err := s.deps.Accounts.ListStaff(ctx, a, accounts.StaffFilter{Role: r}, paging.Request{Limit: paging.MaxLimit})
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	return out, nil
}

func formOf(c *fiber.Ctx, names ...string) map[string]string {
	m := map[string]string{}
	for _, n := range names {
		m[n] = c.FormValue(n)
	}
	return m
}

// optionalID parses a UUID form value; "" is nil.
func optionalID(v string) (*uuid.UUID, error) {
	if v == "" {
		return nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil, apperr.InvalidField("id", "not an ID")
	}
	return &id, nil
}

func (s *Server) adminCreateOrg(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	form := formOf(c, "name", "office", "tier", "tsam_id")
	tsam, err := optionalID(form["tsam_id"])
	if err == nil {
		var org accounts.Organization
		org, err = s.deps.Accounts.CreateOrganization(c.UserContext(), a, accounts.NewOrganization{Name: form["name"],
			Office: form["office"], Tier: form["tier"], TSAMID: tsam})
		if err == nil {
			return c.Redirect("/admin/organizations/"+org.ID.String()+"?done=org_created", fiber.StatusSeeOther)
		}
	}
	if isUserError(err) {
		return s.showOrgs(c, fiber.StatusUnprocessableEntity, form, err)
	}
	return err
}

// isUserError reports whether err is the user's to correct (shown on the form), not the server's.
func isUserError(err error) bool {
	var ae *apperr.Error
	if !asAppErr(err, &ae) {
		return false
	}
	return ae.Kind == apperr.Invalid || ae.Kind == apperr.Conflict
}

type orgData struct {
	UserTable userTable
	Org       accounts.Organization
	Users     []accounts.User
	Next      string
	Contracts []entitlement.View
	TSAMs     []accounts.User
	Form      map[string]string
	Today     string
}

func (s *Server) adminOrg(c *fiber.Ctx) error { return s.showOrg(c, fiber.StatusOK, nil, nil) }

func (s *Server) showOrg(c *fiber.Ctx, status int, form map[string]string, failure error) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("organization not found")
	}
	ctx := c.UserContext()
	d := orgData{Form: form, Today: s.deps.Clock.Now().In(reqOf(c).zone).Format(time.DateOnly)}
	if d.Org, err = s.deps.Accounts.FindOrganizationByID(ctx, id); err != nil {
		return err
	}
	if d.Users, d.Next, err = s.deps.Accounts.ListOrganizationUsers(ctx, a, id, paging.Request{Limit: paging.MaxLimit}); err != nil {
		return err
	}
	d.UserTable = s.userTable(c, d.Users, "/admin/organizations/"+id.String())
	if d.Contracts, err = s.deps.Entitlements.Report(ctx, a, id); err != nil {
		return err
	}
	if d.TSAMs, err = s.tsams(ctx, a); err != nil {
		return err
	}
	p := s.page(c, "admin", "admin.org.title", d)
	if failure != nil {
		p.Error, p.Detail = errorKey(failure)
	}
	return s.show(c, status, "admin_org", p)
}

func (s *Server) adminSaveOrg(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("organization not found")
	}
	v := accounts.Visibility(c.FormValue("incident_visibility"))
	tsam := uuid.Nil
	if t := c.FormValue("tsam_id"); t != "" {
		if tsam, err = uuid.Parse(t); err != nil {
			return s.showOrg(c, fiber.StatusUnprocessableEntity, nil, apperr.InvalidField("tsam_id", "not an ID"))
		}
	}
	_, err = s.deps.Accounts.UpdateOrganization(c.UserContext(), a, id, accounts.OrganizationPatch{IncidentVisibility: &v, TSAMID: &tsam})
	if isUserError(err) {
		return s.showOrg(c, fiber.StatusUnprocessableEntity, nil, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/organizations/"+id.String()+"?done=org_saved", fiber.StatusSeeOther)
}

// inviteUser creates a customer user of an organisation (admins: the one in the path; org
// admins: their own) and e-mails them a sign-in link.
func (s *Server) inviteUser(c *fiber.Ctx) error {
	u := *reqOf(c).user
	var org uuid.UUID
	back := "/organization"
	switch {
	case u.Role == accounts.Admin && c.Params("id") != "":
		id, err := uuid.Parse(c.Params("id"))
		if err != nil {
			return apperr.NotFoundf("organization not found")
		}
		org, back = id, "/admin/organizations/"+id.String()
	case u.Role == accounts.OrgAdmin && c.Params("id") == "":
		org = *u.OrganizationID
	default:
		return apperr.New(apperr.Forbidden, "forbidden", "admins only")
	}
	role := accounts.Role(c.FormValue("role"))
	if !role.Customer() {
		role = accounts.Member
	}
	form := formOf(c, "email", "name", "role")
	err := s.invite(c, u, accounts.NewUser{Email: form["email"], Name: form["name"], Role: role, OrganizationID: &org})
	if isUserError(err) {
		if back == "/organization" {
			return s.showOrgHome(c, fiber.StatusUnprocessableEntity, form, err)
		}
		return s.showOrg(c, fiber.StatusUnprocessableEntity, form, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect(back+"?done=invited", fiber.StatusSeeOther)
}

// inviteStaff creates a staff member (admins only) and e-mails them a sign-in link.
func (s *Server) inviteStaff(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	form := formOf(c, "email", "name", "role", "office", "senior")
	err = s.invite(c, a, accounts.NewUser{Email: form["email"], Name: form["name"], Role: accounts.Role(form["role"]),
		Office: form["office"], Senior: form["senior"] == "1"})
	if isUserError(err) {
		return s.showOrgs(c, fiber.StatusUnprocessableEntity, form, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/organizations?done=invited", fiber.StatusSeeOther)
}

func (s *Server) invite(c *fiber.Ctx, actor accounts.User, in accounts.NewUser) error {
	u, token, err := s.deps.Accounts.Invite(c.UserContext(), actor, in)
	if err != nil {
		return err
	}
	lang := reqOf(c).lang
	if lang == "" {
		lang = languages[0]
	}
	go s.mailInvitation(u, actor, token, lang)
	return nil
}

func (s *Server) mailInvitation(u, by accounts.User, token, lang string) {
	if s.deps.Mailer == nil {
		s.deps.Log.Warn("invitation not sent: SMTP_URL is not set", "user_id", u.ID)
		return
	}
	cat := s.views.cats[lang]
	link := strings.TrimRight(s.deps.PublicURL, "/") + "/signin/link/" + url.PathEscape(token)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.deps.Mailer.Send(ctx, escalation.Email{To: u.Email, Subject: cat.T("mail.invite.subject"),
		Body: cat.T("mail.invite.body", u.Name, by.Name, link, int(accounts.InvitationTTL/time.Hour))}, s.deps.Clock.Now())
	if err != nil {
		s.deps.Log.Error("invitation not sent", "user_id", u.ID, "err", err)
	}
}

// setUserActive deactivates or reactivates a user: admins anyone, org admins their
// organisation's users (the domain decides), then back to the page the form was on.
func (s *Server) setUserActive(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := *reqOf(c).user
		id, err := uuid.Parse(c.Params("id"))
		if err != nil {
			return apperr.NotFoundf("user not found")
		}
		done := "deactivated"
		if active {
			done = "reactivated"
			_, err = s.deps.Accounts.Reactivate(c.UserContext(), u, id)
		} else {
			_, err = s.deps.Accounts.Deactivate(c.UserContext(), u, id)
		}
		if err != nil {
			return err
		}
		back := localPath(c.FormValue("back"))
		if back == "/" {
			back = "/admin/organizations"
		}
		return c.Redirect(back+"?done="+done, fiber.StatusSeeOther)
	}
}

package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	paging "github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

// dateIn parses a form date (YYYY-MM-DD) as midnight in the viewer's zone.
func dateIn(c *fiber.Ctx, field, v string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), reqOf(c).zone)
	if err != nil {
		return time.Time{}, apperr.InvalidField(field, "%s must be a date (YYYY-MM-DD)", field)
	}
	return t, nil
}

func (s *Server) adminCreateContract(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	org, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("organization not found")
	}
	form := formOf(c, "product", "tier", "license_type", "maintenance", "starts", "ends", "seats", "serial_number", "renewal_window_days")
	e := entitlement.Entitlement{Product: strings.TrimSpace(form["product"]), Tier: form["tier"],
		LicenseType: entitlement.LicenseType(form["license_type"]), Maintenance: form["maintenance"] == "1",
		SerialNumber: strings.TrimSpace(form["serial_number"])}
	e.Seats, _ = strconv.Atoi(form["seats"])
	e.RenewalWindowDays, _ = strconv.Atoi(form["renewal_window_days"])
	if e.StartsAt, err = dateIn(c, "starts_at", form["starts"]); err == nil {
		if e.EndsAt, err = dateIn(c, "ends_at", form["ends"]); err == nil {
			_, err = s.deps.Entitlements.Create(c.UserContext(), a, org, e)
		}
	}
	if isUserError(err) {
		return s.showOrg(c, fiber.StatusUnprocessableEntity, form, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/organizations/"+org.String()+"?done=contract_created", fiber.StatusSeeOther)
}

// contractBack is where a contract form returns: the organisation's admin page.
func contractBack(c *fiber.Ctx) string {
	if id, err := uuid.Parse(c.FormValue("organization_id")); err == nil {
		return "/admin/organizations/" + id.String()
	}
	return "/admin/organizations"
}

func (s *Server) adminRenew(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("contract not found")
	}
	start, err := dateIn(c, "starts_at", c.FormValue("starts"))
	if err != nil {
		return err
	}
	end, err := dateIn(c, "ends_at", c.FormValue("ends"))
	if err != nil {
		return err
	}
	if _, err := s.deps.Entitlements.Renew(c.UserContext(), a, id, start, end, strings.TrimSpace(c.FormValue("serial_number"))); err != nil {
		return err
	}
	return c.Redirect(contractBack(c)+"?done=renewed", fiber.StatusSeeOther)
}

func (s *Server) adminExtend(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("contract not found")
	}
	until, err := dateIn(c, "until", c.FormValue("until"))
	if err != nil {
		return err
	}
	if _, err := s.deps.Entitlements.Extend(c.UserContext(), a, id, until, strings.TrimSpace(c.FormValue("reason"))); err != nil {
		return err
	}
	return c.Redirect(contractBack(c)+"?done=extended", fiber.StatusSeeOther)
}

// contractRow is a contract with its renewal reminder schedule, for the organisation's admins.
type contractRow struct {
	entitlement.View
	Reminders []reminder
}

// reminder is one renewal reminder milestone: when it goes (or went) to the organisation's admins.
type reminder struct {
	Days int
	At   time.Time
	Past bool
}

type orgHomeData struct {
	UserTable   userTable
	Org         accounts.Organization
	Contracts   []contractRow
	Users       []accounts.User
	Groups      []accounts.Group
	Credits     []tickets.Credit
	CreditTotal float64
	From, To    time.Time
	Form        map[string]string
}

// orgHome is an organisation admin's page: contracts with state, days left, renewal window and
// reminders; the organisation's users (invite, deactivate) and groups; the SLA-credit ledger of
// the last 90 days.
func (s *Server) orgHome(c *fiber.Ctx) error { return s.showOrgHome(c, fiber.StatusOK, nil, nil) }

func (s *Server) showOrgHome(c *fiber.Ctx, status int, form map[string]string, failure error) error {
	u := reqOf(c).user
	if u.Role != accounts.OrgAdmin || u.OrganizationID == nil {
		return apperr.New(apperr.Forbidden, "forbidden", "organisation admins only")
	}
	ctx, org := c.UserContext(), *u.OrganizationID
	d := orgHomeData{Form: form}
	var err error
	if d.Org, err = s.deps.Accounts.FindOrganizationByID(ctx, org); err != nil {
		return err
	}
	views, err := s.deps.Entitlements.Report(ctx, *u, org)
	if err != nil {
		return err
	}
	now := s.deps.Clock.Now()
	for _, v := range views {
		row := contractRow{View: v}
		for _, n := range []int{90, 60, 30, 0} {
			at := v.EndsAt.AddDate(0, 0, -n)
			row.Reminders = append(row.Reminders, reminder{Days: n, At: at, Past: !at.After(now)})
		}
		d.Contracts = append(d.Contracts, row)
	}
	if d.Users, _, err = s.deps.Accounts.ListOrganizationUsers(ctx, *u, org, paging.Request{Limit: paging.MaxLimit}); err != nil {
		return err
	}
	d.UserTable = s.userTable(c, d.Users, "/organization")
	if d.Groups, err = s.deps.Accounts.ListGroups(ctx, *u, &org); err != nil {
		return err
	}
	d.To = now
	d.From = now.AddDate(0, 0, -90)
	if d.Credits, _, d.CreditTotal, err = s.deps.Incidents.Credits(ctx, *u, org, d.From, d.To, paging.Request{Limit: paging.MaxLimit}); err != nil {
		return err
	}
	p := s.page(c, "organization", "org.title", d)
	if failure != nil {
		p.Error, p.Detail = errorKey(failure)
	}
	return s.show(c, status, "org_home", p)
}

package web

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

var policyTargets = []string{"first_response", "update_cadence", "support_manager", "executive", "remediation"}

// cellView is one policy cell as the matrix shows it and the edit form fills it in.
type cellView struct {
	Severity int
	Target   string
	Kind     string // duration, business_days, none, on_request
	Amount   string // "4h" or "2" (business days)
	Clock    string
	Missing  bool
}

func toCellView(c catalog.Cell) cellView {
	v := cellView{Severity: c.Severity, Target: c.Target, Kind: c.Kind, Clock: c.Clock}
	switch c.Kind {
	case "duration":
		if c.Duration != nil {
			v.Amount = sla.FormatDuration(time.Duration(*c.Duration))
		}
	case "business_days":
		v.Amount = strconv.Itoa(c.BusinessDays)
	}
	return v
}

type policiesData struct {
	Tiers     []string
	Tier      string
	Policy    catalog.PolicyVersion
	Targets   []string
	Rows      [][]cellView
	Calendars []string
	Edit      *cellView
	At        string // the preview's acceptance time, datetime-local in the viewer's zone
	Preview   *catalog.PreviewResult
}

func (s *Server) adminPolicies(c *fiber.Ctx) error {
	if _, err := admin(c); err != nil {
		return err
	}
	tier := c.Query("tier", "standard")
	sev, _ := strconv.Atoi(c.Query("severity"))
	d, err := s.policiesData(c, tier)
	if err != nil {
		return err
	}
	if sev >= 1 && sev <= 4 && slices.Contains(policyTargets, c.Query("target")) {
		e := d.Rows[sev-1][slices.Index(policyTargets, c.Query("target"))]
		d.Edit = &e
	}
	return s.show(c, fiber.StatusOK, "admin_policies", s.page(c, "admin", "admin.policies.title", d))
}

func (s *Server) policiesData(c *fiber.Ctx, tier string) (policiesData, error) {
	if _, err := sla.ParseTier(tier); err != nil {
		return policiesData{}, apperr.NotFoundf("no such tier")
	}
	ctx := c.UserContext()
	d := policiesData{Tiers: []string{"standard", "premium", "platinum"}, Tier: tier, Targets: policyTargets,
		At: s.deps.Clock.Now().In(reqOf(c).zone).Format("2006-01-02T15:04")}
	all, err := s.deps.Admin.Catalog.Policies(ctx)
	if err != nil {
		return d, err
	}
	for _, p := range all {
		if p.Tier == tier {
			d.Policy = p
		}
	}
	d.Rows = make([][]cellView, 4)
	for sev := 1; sev <= 4; sev++ {
		for _, t := range policyTargets {
			v := cellView{Severity: sev, Target: t, Kind: "none", Missing: true}
			for _, cell := range d.Policy.Cells {
				if cell.Severity == sev && cell.Target == t {
					v = toCellView(cell)
				}
			}
			d.Rows[sev-1] = append(d.Rows[sev-1], v)
		}
	}
	cals, err := s.deps.Admin.Catalog.ListCalendars(ctx)
	if err != nil {
		return d, err
	}
	d.Calendars = []string{sla.Clock24x7}
	for _, cal := range cals {
		d.Calendars = append(d.Calendars, cal.Name)
	}
	return d, nil
}

// cellFromForm reads the edit form into a policy cell.
func cellFromForm(c *fiber.Ctx) (cellView, catalog.Cell, error) {
	v := cellView{Target: c.FormValue("target"), Kind: c.FormValue("kind"), Amount: strings.TrimSpace(c.FormValue("amount")),
		Clock: c.FormValue("clock")}
	v.Severity, _ = strconv.Atoi(c.FormValue("severity"))
	if v.Severity < 1 || v.Severity > 4 || !slices.Contains(policyTargets, v.Target) {
		return v, catalog.Cell{}, apperr.InvalidField("cell", "choose a cell of the matrix")
	}
	cell := catalog.Cell{Severity: v.Severity, Target: v.Target, Clock: v.Clock}
	switch v.Kind {
	case "duration":
		d, err := time.ParseDuration(v.Amount)
		if err != nil || d <= 0 {
			return v, cell, apperr.InvalidField("amount", "a duration is written like 30m, 4h or 1h30m")
		}
		cd := catalog.Duration(d)
		cell.Duration = &cd
	case "business_days":
		n, err := strconv.Atoi(v.Amount)
		if err != nil || n < 1 {
			return v, cell, apperr.InvalidField("amount", "business days are a whole number from 1")
		}
		cell.BusinessDays = n
	case "none":
		cell.None, cell.Clock = true, ""
	case "on_request":
		cell.OnRequest, cell.Clock = true, ""
	default:
		return v, cell, apperr.InvalidField("kind", "choose what the target is")
	}
	return v, cell, nil
}

// adminPolicyCell previews a cell (action=preview: the deadlines of an incident of that
// severity accepted at the chosen time under the draft, with their explanations; nothing is
// saved) or saves it as the tier's new policy version (action=save).
func (s *Server) adminPolicyCell(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	tier := c.Params("tier")
	d, err := s.policiesData(c, tier)
	if err != nil {
		return err
	}
	v, cell, err := cellFromForm(c)
	d.Edit = &v
	if at := c.FormValue("accepted_at"); at != "" {
		d.At = at
	}
	if err == nil && c.FormValue("action") == "save" {
		if _, err = s.deps.Admin.Catalog.PutPolicy(c.UserContext(), a.ID, sla.Tier(tier), []catalog.Cell{cell}); err == nil {
			return c.Redirect("/admin/policies?tier="+tier+"&done=policy_saved", fiber.StatusSeeOther)
		}
	}
	if err == nil {
		var accepted time.Time
		if accepted, err = time.ParseInLocation("2006-01-02T15:04", d.At, reqOf(c).zone); err != nil {
			err = apperr.InvalidField("accepted_at", "choose the date and time the incident is accepted")
		} else {
			draft, _ := json.Marshal(map[string]any{"cells": []catalog.Cell{cell}})
			var res catalog.PreviewResult
			res, err = s.deps.Admin.Catalog.Preview(c.UserContext(), catalog.PreviewRequest{Tier: tier, Severity: v.Severity,
				AcceptedAt: accepted, Policy: draft})
			if err == nil {
				d.Preview = &res
			}
		}
	}
	p := s.page(c, "admin", "admin.policies.title", d)
	status := fiber.StatusOK
	if err != nil {
		if err = asUserError(err); !isUserError(err) {
			return err
		}
		p.Error, p.Detail = errorKey(err)
		status = fiber.StatusUnprocessableEntity
	}
	return s.show(c, status, "admin_policies", p)
}

// asUserError turns the planner's field errors into the invalid_value the pages explain.
func asUserError(err error) error {
	var fe *sla.FieldError
	if asFieldError(err, &fe) {
		return apperr.InvalidField(fe.Field, "%s", fe.Message)
	}
	return err
}

package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	paging "github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

type managerData struct {
	Escalations []escalation.Record
	Hours       int
	AtRisk      []queueRow
	Breached    []queueRow
	Reclass     []tickets.PendingReclassification
	Remediation []tickets.Incident
	Office      string
	Worklists   bool   // the office's lists and requests (support managers and admins)
	PlanDefault string // a date-time-local value: the default agreed resolution time
}

// manager reports whether u may use the manager view (support managers and admins; executives
// see the escalations addressed to them).
func manager(u accounts.User) bool {
	return u.Role == accounts.SupportManager || u.Role == accounts.Admin
}

// managerPage is the manager view: escalations addressed to me, incidents of my office at risk
// (due within N hours) and breached today, reclassification requests and formal escalation
// requests waiting for a remediation plan. Customers get 404, engineers 403.
func (s *Server) managerPage(c *fiber.Ctx) error {
	return s.showManager(c, fiber.StatusOK, "", "")
}

func (s *Server) showManager(c *fiber.Ctx, status int, errKey, detail string) error {
	u := reqOf(c).user
	if !u.Role.Staff() {
		return apperr.NotFoundf("not found")
	}
	if !manager(*u) && u.Role != accounts.Executive {
		return apperr.New(apperr.Forbidden, "forbidden", "the manager view is for support managers")
	}
	ctx := c.UserContext()
	now, zone := s.deps.Clock.Now(), reqOf(c).zone
	d := managerData{Hours: 4, Office: u.Office, PlanDefault: now.In(zone).Add(48 * time.Hour).Format("2006-01-02T15:04")}
	if n := c.QueryInt("hours"); n > 0 && n <= 168 {
		d.Hours = n
	}
	if s.deps.Escalations != nil {
		items, _, err := s.deps.Escalations.Mine(ctx, u.ID, false, paging.Request{Limit: 50})
		if err != nil {
			return err
		}
		d.Escalations = items
	}
	if d.Worklists = manager(*u); d.Worklists {
		items, err := s.deps.Incidents.Queue(ctx, *u, tickets.QueueFilter{Office: u.Office, Limit: 200})
		if err != nil {
			return err
		}
		var cals sla.Calendars
		if s.deps.Catalog != nil {
			if cals, err = s.deps.Catalog.Calendars(ctx); err != nil {
				return err
			}
		}
		y, m, dd := now.In(zone).Date()
		midnight := time.Date(y, m, dd, 0, 0, 0, 0, zone)
		horizon := now.Add(time.Duration(d.Hours) * time.Hour)
		for _, it := range items {
			r := queueRow{QueueItem: it, Badge: badgeOf(it.Incident, cals, now, zone)}
			if breachedSince(it.Incident, midnight) {
				d.Breached = append(d.Breached, r)
			} else if r.Badge.Kind == "running" && !r.Badge.Due.After(horizon) {
				d.AtRisk = append(d.AtRisk, r)
			}
		}
		if d.Reclass, err = s.deps.Incidents.PendingReclassifications(ctx, *u, 50); err != nil {
			return err
		}
		if d.Remediation, err = s.deps.Incidents.AwaitingRemediation(ctx, *u, 50); err != nil {
			return err
		}
	}
	p := s.page(c, "manager", "mgr.title", d)
	p.Error, p.Detail = errKey, detail
	return s.show(c, status, "manager", p)
}

// breachedSince reports whether a target of the incident was breached at or after t.
func breachedSince(inc tickets.Incident, t time.Time) bool {
	if inc.SLA == nil {
		return false
	}
	for _, x := range inc.SLA.Targets {
		if x.State == sla.Breached && x.BreachedAt != nil && !x.BreachedAt.Before(t) {
			return true
		}
	}
	return false
}

// managerAct runs a manager's action and returns to the manager view; refusals re-render it.
func (s *Server) managerAct(done string, run func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := reqOf(c).user
		if !u.Role.Staff() {
			return apperr.NotFoundf("not found")
		}
		id, err := uuid.Parse(c.Params("id"))
		if err != nil {
			return apperr.NotFoundf("not found")
		}
		if err := run(c, *u, id); err != nil {
			if k := apperr.KindOf(err); k == apperr.Conflict || k == apperr.Invalid {
				key, detail := errorKey(err)
				return s.showManager(c, fiber.StatusUnprocessableEntity, key, detail)
			}
			return err
		}
		return c.Redirect("/manager?done="+done, fiber.StatusSeeOther)
	}
}

func (s *Server) ackEscalation(c *fiber.Ctx) error {
	return s.managerAct("escalation_acknowledged", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		if s.deps.Escalations == nil {
			return apperr.NotFoundf("escalation not found")
		}
		e, err := s.deps.Escalations.Acknowledge(c.UserContext(), u.ID, id, s.deps.Clock.Now())
		if err != nil {
			return err
		}
		return s.deps.Incidents.NoteEscalationAcknowledged(c.UserContext(), u, e.IncidentID, e.ID, e.Level)
	})(c)
}

func (s *Server) decideReclassification(c *fiber.Ctx) error {
	return s.managerAct("decided", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, _, err := s.deps.Incidents.DecideReclassification(c.UserContext(), u, id, c.FormValue("decision") == "approve", c.FormValue("reason"))
		return err
	})(c)
}

func (s *Server) answerRemediation(c *fiber.Ctx) error {
	return s.managerAct("remediation", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		by, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(c.FormValue("resolve_by")), reqOf(c).zone)
		if err != nil {
			return apperr.InvalidField("resolve_by", "give the agreed resolution time")
		}
		_, err = s.deps.Incidents.AgreeRemediation(c.UserContext(), u, id, c.FormValue("plan"), by)
		return err
	})(c)
}

package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

func init() {
	viewNames = append(viewNames, "staff_incident", "manager", "report")
	for _, f := range []string{"claimed", "acknowledged", "updated", "noted", "assigned", "waiting", "resolved",
		"severity", "scope", "escalation_acknowledged", "decided", "remediation"} {
		flashes[f] = true
	}
}

// Manager reports whether the viewer gets the manager view (support managers, admins and, for
// the escalations addressed to them, executives).
func (p page) Manager() bool {
	return p.User != nil && (manager(*p.User) || p.User.Role == accounts.Executive)
}

type staffIncidentData struct {
	Incident tickets.Incident
	Entries  []entry
	Targets  []catalog.Target // every target, each with its explanation
	Badge    badge
	Assignee string
	Staff    []accounts.User // whom a manager may assign
	Manager  bool
	// Worker: the viewer works incidents (executives read them and get no actions).
	Worker   bool
	Resolved bool
	Waiting  bool
	Body     string
	// Files are the incident's attachments; MayAttach: the viewer may add one (workers).
	Files     []attachmentItem
	MayAttach bool
}

// showStaffIncident is the incident page as staff see it: the whole timeline with author names
// (internal notes marked), every action the engine offers staff, and each deadline with its
// explanation one click away.
func (s *Server) showStaffIncident(c *fiber.Ctx, status int, errKey, detail string) error {
	u := reqOf(c).user
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("incident not found")
	}
	ctx := c.UserContext()
	inc, err := s.deps.Incidents.Get(ctx, *u, id)
	if err != nil {
		return err
	}
	events, err := s.deps.Incidents.Timeline(ctx, *u, id)
	if err != nil {
		return err
	}
	d := staffIncidentData{Incident: inc, Manager: u.Role == accounts.SupportManager || u.Role == accounts.Admin,
		Worker:   u.Role == accounts.Engineer || u.Role == accounts.SupportManager || u.Role == accounts.Admin,
		Resolved: inc.Status == tickets.StatusResolved, Waiting: inc.Status == tickets.StatusWaiting, Body: c.FormValue("body")}
	if d.Files, err = s.attachmentsOf(c, *u, id); err != nil {
		return err
	}
	d.MayAttach = d.Worker && s.deps.Files != nil
	if inc.SLA != nil {
		d.Targets = inc.SLA.Targets
		if s.deps.Catalog != nil {
			cals, err := s.deps.Catalog.Calendars(ctx)
			if err != nil {
				return err
			}
			d.Badge = badgeOf(inc, cals, s.deps.Clock.Now(), reqOf(c).zone)
		}
	}
	names := map[uuid.UUID]string{}
	name := func(id uuid.UUID) string {
		if n, ok := names[id]; ok {
			return n
		}
		if a, err := s.deps.Accounts.FindUserByID(ctx, id); err == nil {
			names[id] = a.Name
		}
		return names[id]
	}
	for _, e := range events {
		en := entry{Event: e, Label: "event.other", Text: eventText(e)}
		for _, k := range eventKinds {
			if k == e.Kind {
				en.Label = "event." + k
			}
		}
		if e.Kind == tickets.KindEscalationAcknowledged {
			en.Label = "si.event.escalation_acknowledged"
		}
		if e.Kind == "opened" && en.Text == "" {
			en.Text = inc.Description
		}
		en.Public, _ = e.Data["public"].(bool)
		if e.ActorID != nil {
			en.Mine, en.Author = *e.ActorID == u.ID, name(*e.ActorID)
		}
		d.Entries = append(d.Entries, en)
	}
	if inc.AssigneeID != nil {
		d.Assignee = name(*inc.AssigneeID)
	}
	if d.Manager {
		if d.Staff, err = s.deps.Accounts.FindStaff(ctx, "", accounts.Engineer, accounts.SupportManager); err != nil {
			return err
		}
	}
	p := s.page(c, "queue", "incident.title", d)
	p.Error, p.Detail = errKey, detail
	return s.show(c, status, "staff_incident", p)
}

// staffAct runs one staff action on the incident of the path and returns to it with a
// confirmation; a refusal (conflict, invalid value) re-renders the page with the domain's reason.
func (s *Server) staffAct(done string, run func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := reqOf(c).user
		if !u.Role.Staff() {
			return apperr.NotFoundf("not found")
		}
		id, err := uuid.Parse(c.Params("id"))
		if err != nil {
			return apperr.NotFoundf("incident not found")
		}
		if err := run(c, *u, id); err != nil {
			k := apperr.KindOf(err)
			if k == apperr.Conflict || k == apperr.Invalid {
				key, detail := errorKey(err)
				status := fiber.StatusConflict
				if k == apperr.Invalid {
					status = fiber.StatusUnprocessableEntity
				}
				return s.showStaffIncident(c, status, key, detail)
			}
			return err
		}
		return c.Redirect("/incidents/"+id.String()+"?done="+done, fiber.StatusSeeOther)
	}
}

func (s *Server) staffActions(get, post route, signedIn fiber.Handler) {
	post("/incidents/:id/acknowledge", signedIn, s.staffAct("acknowledged", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, err := s.deps.Incidents.Acknowledge(c.UserContext(), u, id, c.FormValue("message"))
		return err
	}))
	post("/incidents/:id/update", signedIn, s.staffAct("updated", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		public := c.FormValue("visibility") != "internal"
		_, err := s.deps.Incidents.PostUpdate(c.UserContext(), u, id, c.FormValue("body"), public)
		return err
	}))
	post("/incidents/:id/assign", signedIn, s.staffAct("assigned", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		who := u.ID
		if v := c.FormValue("assignee"); v != "" {
			p, err := uuid.Parse(v)
			if err != nil {
				return apperr.InvalidField("assignee_id", "choose an engineer")
			}
			who = p
		}
		_, err := s.deps.Incidents.Assign(c.UserContext(), u, id, who)
		return err
	}))
	post("/incidents/:id/wait", signedIn, s.staffAct("waiting", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		q := strings.TrimSpace(c.FormValue("message"))
		if q == "" {
			return apperr.InvalidField("message", "say what you need from the customer")
		}
		_, err := s.deps.Incidents.Wait(c.UserContext(), u, id, q)
		return err
	}))
	post("/incidents/:id/resolve", signedIn, s.staffAct("resolved", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, err := s.deps.Incidents.Resolve(c.UserContext(), u, id, c.FormValue("resolution"))
		return err
	}))
	post("/incidents/:id/severity", signedIn, s.staffAct("severity", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		n, err := strconv.Atoi(c.FormValue("severity"))
		if err != nil {
			return apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
		}
		_, err = s.deps.Incidents.Patch(c.UserContext(), u, id, &n, nil, c.FormValue("reason"))
		return err
	}))
	post("/incidents/:id/scope", signedIn, s.staffAct("scope", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		sc := tickets.Scope(c.FormValue("scope"))
		_, err := s.deps.Incidents.Patch(c.UserContext(), u, id, nil, &sc, c.FormValue("reason"))
		return err
	}))
	post("/incidents/:id/presence", signedIn, s.presence)
	get("/incidents/:id/presence", signedIn, s.presence)
}

type presenceData struct {
	ID     uuid.UUID
	Others []Present
}

// presence is polled by a staff member's open incident page (and posted to when they type): it
// records them and answers with the warning about anyone else on the incident.
func (s *Server) presence(c *fiber.Ctx) error {
	u := reqOf(c).user
	if !u.Role.Staff() || s.deps.Presence == nil {
		return apperr.NotFoundf("not found")
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("incident not found")
	}
	if _, err := s.deps.Incidents.Get(c.UserContext(), *u, id); err != nil {
		return err
	}
	others, err := s.deps.Presence.Touch(c.UserContext(), id, u.ID, c.Method() == fiber.MethodPost, s.deps.Clock.Now())
	if err != nil {
		return err
	}
	return s.exec(c, fiber.StatusOK, "staff_incident", "presence", s.page(c, "queue", "incident.title", presenceData{ID: id, Others: others}))
}

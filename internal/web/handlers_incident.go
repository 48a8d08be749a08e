package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// eventKinds are the timeline entries the pages name in the user's language; others show their
// kind as is.
var eventKinds = []string{"opened", "acknowledged", "public_update", "customer_reply", "internal_note", "assigned",
	"wait_started", "wait_ended", "resolved", "reopened", "resolution_confirmed", "severity_changed", "scope_changed", "escalated",
	"escalation_requested", "remediation_agreed", "reclassification_requested", "reclassification_approved",
	"reclassification_rejected", "sla_planned", "breached", "other"}

type entry struct {
	tickets.Event
	Label  string // message key
	Author string
	Mine   bool
	Text   string // the message, reply, reason or resolution it carries
	Public bool
}

type incidentData struct {
	Incident  tickets.Incident
	Entries   []entry
	Targets   []catalog.Target // first response, update cadence, remediation
	Escalated bool
	MayAct    bool
	Resolved  bool
	// CanReclassify: severity 3, the only reclassification a customer may ask for.
	CanReclassify bool
	Reply         string
	// Escalation is what a request for the next level would get now, from the domain.
	Escalation tickets.EscalationOption
	// EscalationWhy is the catalogue key of why it is not available (empty when it is).
	EscalationWhy string
	// Files are the incident's attachments; MayAttach: the caller may add one.
	Files     []attachmentItem
	MayAttach bool
}

// incident shows an incident with its timeline as tickets.Timeline gives it to this caller (the
// same call as GET /v1/incidents/{id}/timeline, so the same audience rules apply).
func (s *Server) incident(c *fiber.Ctx) error {
	return s.showIncident(c, fiber.StatusOK, "", "", "")
}

func (s *Server) showIncident(c *fiber.Ctx, status int, errKey, detail, reply string) error {
	u := reqOf(c).user
	if u.Role.Staff() {
		return s.showStaffIncident(c, status, errKey, detail)
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("incident not found")
	}
	inc, err := s.deps.Incidents.Get(c.UserContext(), *u, id)
	if err != nil {
		return err
	}
	events, err := s.deps.Incidents.Timeline(c.UserContext(), *u, id)
	if err != nil {
		return err
	}
	d := incidentData{Incident: inc, Escalated: inc.EscalationLevel > 0, MayAct: u.Role.Customer() && tickets.MayAct(*u, inc),
		Resolved: inc.Status == tickets.StatusResolved, CanReclassify: inc.Severity == 3, Reply: reply}
	if d.MayAct {
		if d.Escalation, err = s.deps.Incidents.NextEscalation(c.UserContext(), *u, id); err != nil {
			return err
		}
		if d.Escalation.Refusal != nil {
			d.EscalationWhy, _ = errorKey(d.Escalation.Refusal)
			if d.EscalationWhy == "error.escalation_not_available" && d.Escalation.From.IsZero() {
				d.EscalationWhy = "incident.escalate_never"
			}
		}
	}
	if d.Files, err = s.attachmentsOf(c, *u, id); err != nil {
		return err
	}
	d.MayAttach = d.MayAct && s.deps.Files != nil
	if inc.SLA != nil {
		for _, t := range inc.SLA.Targets {
			if t.Target == sla.FirstResponse || t.Target == sla.UpdateCadence || t.Target == sla.Remediation {
				d.Targets = append(d.Targets, t)
			}
		}
	}
	names := map[uuid.UUID]string{}
	for _, e := range events {
		en := entry{Event: e, Label: "event.other", Text: eventText(e)}
		for _, k := range eventKinds {
			if k == e.Kind {
				en.Label = "event." + k
			}
		}
		if e.Kind == "opened" && en.Text == "" {
			en.Text = inc.Description
		}
		en.Public, _ = e.Data["public"].(bool)
		if e.ActorID != nil {
			en.Mine = *e.ActorID == u.ID
			if _, ok := names[*e.ActorID]; !ok {
				if a, err := s.deps.Accounts.FindUserByID(c.UserContext(), *e.ActorID); err == nil {
					names[*e.ActorID] = a.Name
				}
			}
			en.Author = names[*e.ActorID]
		}
		d.Entries = append(d.Entries, en)
	}
	p := s.page(c, "incidents", "incident.title", d)
	p.Error, p.Detail = errKey, detail
	return s.show(c, status, "incident", p)
}

// eventText is the human text an event carries.
func eventText(e tickets.Event) string {
	for _, k := range []string{"body", "message", "resolution", "plan", "reason"} {
		if v, ok := e.Data[k].(string); ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	if e.Kind == "opened" {
		if v, ok := e.Data["description"].(string); ok {
			return v
		}
	}
	return ""
}

// act runs one customer action on the incident of the path and redirects back to it with a
// confirmation; a refusal re-renders the page with the reason the domain gave.
func (s *Server) act(done string, run func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := uuid.Parse(c.Params("id"))
		if err != nil {
			return apperr.NotFoundf("incident not found")
		}
		if err := run(c, *reqOf(c).user, id); err != nil {
			k := apperr.KindOf(err)
			if k == apperr.Conflict || k == apperr.Invalid {
				key, detail := errorKey(err)
				status := fiber.StatusConflict
				if k == apperr.Invalid {
					status = fiber.StatusUnprocessableEntity
				}
				return s.showIncident(c, status, key, detail, c.FormValue("body"))
			}
			return err
		}
		return c.Redirect("/incidents/"+id.String()+"?done="+done+"#"+done, fiber.StatusSeeOther)
	}
}

func (s *Server) reply() fiber.Handler {
	return s.act("replied", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, err := s.deps.Incidents.PostUpdate(c.UserContext(), u, id, c.FormValue("body"), true)
		return err
	})
}

// confirm is the customer's confirmation of a resolution (tickets.ConfirmResolution).
func (s *Server) confirm() fiber.Handler {
	return s.act("confirmed", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, err := s.deps.Incidents.ConfirmResolution(c.UserContext(), u, id, c.FormValue("message"))
		return err
	})
}

func (s *Server) reopen() fiber.Handler {
	return s.act("reopened", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, err := s.deps.Incidents.Reopen(c.UserContext(), u, id, c.FormValue("reason"))
		return err
	})
}

func (s *Server) escalate() fiber.Handler {
	return s.act("escalated", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, err := s.deps.Incidents.RequestEscalation(c.UserContext(), u, id, 0, c.FormValue("reason"))
		return err
	})
}

func (s *Server) reclassify() fiber.Handler {
	return s.act("reclassification", func(c *fiber.Ctx, u accounts.User, id uuid.UUID) error {
		_, _, err := s.deps.Incidents.RequestReclassification(c.UserContext(), u, id, c.FormValue("reason"))
		return err
	})
}

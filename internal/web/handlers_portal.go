package web

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

type listData struct {
	Items    []tickets.Incident
	Status   string
	Product  string
	Q        string
	Mine     bool
	Products []string
	Statuses []string
	Next     string
	// OwnOnly: the organisation shows members only their circle's incidents.
	OwnOnly bool
}

var statuses = []string{string(tickets.StatusNew), string(tickets.StatusInProgress), string(tickets.StatusWaiting), string(tickets.StatusResolved)}

// incidents lists what the caller may see through the same tickets.List as GET /v1/incidents.
// An htmx request (the filter form as the user types) gets only the results.
func (s *Server) incidents(c *fiber.Ctx) error {
	u := reqOf(c).user
	d := listData{Status: c.Query("status"), Product: c.Query("product"), Q: strings.TrimSpace(c.Query("q")),
		Mine: c.Query("mine") == "1", Statuses: statuses, OwnOnly: u.SeesOwnOnly()}
	if d.Status != "" && !slices.Contains(statuses, d.Status) {
		d.Status = ""
	}
	f := tickets.Filter{Status: tickets.Status(d.Status), Product: d.Product, Search: d.Q, Mine: d.Mine, Limit: 50}
	if v := c.Query("cursor"); v != "" {
		if cur, err := tickets.ParseCursor(v); err == nil {
			f.After = &cur
		}
	}
	page, err := s.deps.Incidents.List(c.UserContext(), *u, f)
	if err != nil {
		return err
	}
	d.Items, d.Next = page.Items, page.Next
	if u.OrganizationID != nil {
		cov, err := s.deps.Entitlements.Coverage(c.UserContext(), *u, *u.OrganizationID)
		if err != nil {
			return err
		}
		for _, x := range cov {
			if !slices.Contains(d.Products, x.Product) {
				d.Products = append(d.Products, x.Product)
			}
		}
	}
	p := s.page(c, "incidents", "incidents.title", d)
	if c.Get("HX-Request") == "true" && c.Get("HX-Target") == "results" {
		return s.exec(c, fiber.StatusOK, "incidents", "results", p)
	}
	return s.show(c, fiber.StatusOK, "incidents", p)
}

type newData struct {
	Coverage    []entitlement.Coverage
	Product     string
	Title       string
	Description string
	Severity    int
	Key         string // idempotency key: a double submit opens one incident
	Refusal     *refusal
}

// refusal is an intake refusal with the renewal facts the domain gave.
type refusal struct {
	Key              string
	Message          string
	Renewable        bool
	RenewableUntil   *time.Time
	ReinstatementFee bool
	NewPurchase      bool
}

func (s *Server) newIncident(c *fiber.Ctx) error {
	d := newData{Severity: 3, Key: randomString(18), Product: c.Query("product")}
	return s.showNew(c, fiber.StatusOK, d, "")
}

func (s *Server) showNew(c *fiber.Ctx, status int, d newData, errKey string) error {
	u := reqOf(c).user
	if u.OrganizationID == nil {
		return apperr.New(apperr.Forbidden, "forbidden", "customers open incidents here")
	}
	cov, err := s.deps.Entitlements.Coverage(c.UserContext(), *u, *u.OrganizationID)
	if err != nil {
		return err
	}
	d.Coverage = cov
	p := s.page(c, "new", "new.title", d)
	p.Error = errKey
	return s.show(c, status, "incident_new", p)
}

func (s *Server) openIncident(c *fiber.Ctx) error {
	u := reqOf(c).user
	d := newData{Product: c.FormValue("product"), Title: c.FormValue("title"), Description: c.FormValue("description"),
		Key: c.FormValue("key")}
	d.Severity, _ = strconv.Atoi(c.FormValue("severity"))
	sev := d.Severity
	in := tickets.NewIncident{Product: d.Product, Title: d.Title, Description: d.Description, Channel: tickets.ChannelWeb}
	if sev != 0 {
		in.Severity = &sev
	}
	in.Raw, _ = json.Marshal(map[string]any{"product": d.Product, "title": d.Title, "description": d.Description,
		"severity": sev, "channel": "web"})
	if len(d.Key) > 64 {
		d.Key = ""
	}
	inc, replayed, err := s.deps.Incidents.Open(c.UserContext(), *u, in, d.Key)
	if err != nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) || (ae.Kind != apperr.Forbidden && ae.Kind != apperr.Invalid) {
			return err
		}
		key, msg := errorKey(err)
		d.Refusal = &refusal{Key: key, Message: msg}
		if v, ok := ae.Details["renewable"].(bool); ok {
			d.Refusal.Renewable = v
		}
		if v, ok := ae.Details["renewable_until"].(*time.Time); ok {
			d.Refusal.RenewableUntil = v
		}
		d.Refusal.ReinstatementFee, _ = ae.Details["reinstatement_fee"].(bool)
		d.Refusal.NewPurchase, _ = ae.Details["new_purchase_required"].(bool)
		d.Key = randomString(18) // a corrected form is a new request
		return s.showNew(c, fiber.StatusUnprocessableEntity, d, "")
	}
	done := "opened"
	if !replayed && s.deps.Files != nil {
		// The files follow the incident through the same domain call as the API; a refused file
		// (too large, empty) leaves the incident open and says so on its page.
		for _, fh := range formFiles(c) {
			if err := s.storeFile(c, *u, inc.ID, fh); err != nil {
				if _, ok := fileRefusal(err); !ok {
					return err
				}
				done = "opened_files_refused"
			}
		}
	}
	return c.Redirect("/incidents/"+inc.ID.String()+"?done="+done, fiber.StatusSeeOther)
}

package web

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// queueViews are the workspace's views of the queue.
var queueViews = []string{"all", "mine", "unassigned", "waiting", "breaching"}

type queueRow struct {
	tickets.QueueItem
	Badge badge
}

type queueData struct {
	View    string
	Views   []string
	Hours   int // breaching within this many hours
	Items   []queueRow
	Worker  bool
	Claimer bool
	Empty   string // why a claim found nothing (message key)
}

// queue is the engineer workspace: the queue as tickets.Queue orders it, narrowed to a view, each
// row with the badge of its clock. An htmx poll gets the list alone, so claims by others show
// without a reload.
func (s *Server) queue(c *fiber.Ctx) error {
	return s.showQueue(c, fiber.StatusOK, "")
}

func (s *Server) showQueue(c *fiber.Ctx, status int, empty string) error {
	u := reqOf(c).user
	if !u.Role.Staff() {
		return apperr.NotFoundf("not found")
	}
	d := queueData{View: c.Query("view", "all"), Views: queueViews, Hours: 4, Empty: empty,
		Worker:  u.Role == accounts.Engineer || u.Role == accounts.SupportManager || u.Role == accounts.Admin,
		Claimer: u.Role == accounts.Engineer || u.Role == accounts.SupportManager}
	if c.Query("mine") == "1" {
		d.View = "mine"
	}
	if n, err := strconv.Atoi(c.Query("hours")); err == nil && n > 0 && n <= 168 {
		d.Hours = n
	}
	known := false
	for _, v := range queueViews {
		known = known || v == d.View
	}
	if !known {
		d.View = "all"
	}
	p := s.page(c, "queue", "queue.title", &d)
	if d.Worker {
		items, err := s.workQueue(c, *u, d.View, d.Hours)
		if err != nil {
			return err
		}
		d.Items = items
	}
	if c.Get("HX-Request") == "true" {
		return s.exec(c, fiber.StatusOK, "queue", "list", p)
	}
	return s.show(c, status, "queue", p)
}

// workQueue reads the queue for a view. Waiting and breaching narrow the first 200 entries of the
// queue (its upper page limit), which at the engine's order holds the urgent ones.
func (s *Server) workQueue(c *fiber.Ctx, u accounts.User, view string, hours int) ([]queueRow, error) {
	f := tickets.QueueFilter{Limit: 100}
	switch view {
	case "mine":
		f.Mine = true
	case "unassigned":
		f.Unassigned = true
	case "waiting", "breaching":
		f.Limit = 200
	}
	items, err := s.deps.Incidents.Queue(c.UserContext(), u, f)
	if err != nil {
		return nil, err
	}
	var cals sla.Calendars
	if s.deps.Catalog != nil {
		if cals, err = s.deps.Catalog.Calendars(c.UserContext()); err != nil {
			return nil, err
		}
	}
	now, zone := s.deps.Clock.Now(), reqOf(c).zone
	horizon := now.Add(time.Duration(hours) * time.Hour)
	out := []queueRow{}
	for _, it := range items {
		r := queueRow{QueueItem: it, Badge: badgeOf(it.Incident, cals, now, zone)}
		switch {
		case view == "waiting" && it.Status != tickets.StatusWaiting:
			continue
		case view == "breaching" && r.Badge.Kind != "breached" && (r.Badge.Kind != "running" || r.Badge.Due.After(horizon)):
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// claim hands the caller the next incident (tickets.Claim, the same as POST /v1/queue/claim) and
// opens it; an empty queue says so on the workspace.
func (s *Server) claim(c *fiber.Ctx) error {
	if !reqOf(c).user.Role.Staff() {
		return apperr.NotFoundf("not found")
	}
	inc, err := s.deps.Incidents.Claim(c.UserContext(), *reqOf(c).user, tickets.QueueFilter{})
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code == "queue_empty" {
		return s.showQueue(c, fiber.StatusOK, "ws.claim_empty")
	}
	if err != nil {
		return err
	}
	return c.Redirect("/incidents/"+inc.ID.String()+"?done=claimed", fiber.StatusSeeOther)
}

package api

import (
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

// queue serves GET /v1/queue: open incidents by urgency, filtered by the query.
func (s *Server) queue(c *fiber.Ctx) error {
	f, err := queueFilter(c)
	if err != nil {
		return err
	}
	items, err := s.deps.Incidents.Queue(c.UserContext(), caller(c), f)
	if err != nil {
		return err
	}
	return c.JSON(toQueueWire(items))
}

// claim serves POST /v1/queue/claim: the body, optional, narrows what may be handed out.
func (s *Server) claim(c *fiber.Ctx) error {
	var req claimRequest
	if err := decodeOptional(c, &req); err != nil {
		return err
	}
	inc, err := s.deps.Incidents.Claim(c.UserContext(), caller(c), req.filter())
	if err != nil {
		return err
	}
	return c.JSON(toIncidentWire(inc))
}

func queueFilter(c *fiber.Ctx) (tickets.QueueFilter, error) {
	f := tickets.QueueFilter{Tier: c.Query("tier"), Product: c.Query("product"), Office: c.Query("office")}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"mine", &f.Mine}, {"unassigned", &f.Unassigned}} {
		if v := c.Query(b.name); v != "" {
			ok, err := strconv.ParseBool(v)
			if err != nil {
				return f, apperr.InvalidField(b.name, "%s must be true or false", b.name)
			}
			*b.dst = ok
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
	}{{"severity", &f.Severity}, {"limit", &f.Limit}} {
		if v := c.Query(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 1 {
				return f, apperr.InvalidField(n.name, "%s must be a positive integer", n.name)
			}
			*n.dst = i
		}
	}
	d, err := dueWithin(c)
	f.DueWithin = d
	return f, err
}

// dueWithin reads the due_within query parameter: a Go duration ("2h", "90m") or a number of
// seconds; absent is zero. Its range is the domain's to check.
func dueWithin(c *fiber.Ctx) (time.Duration, error) {
	v := c.Query("due_within")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.ParseFloat(v, 64)
		if serr != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > tickets.MaxDueWithin.Seconds() {
			return 0, apperr.InvalidField("due_within", "due_within must be a duration like 2h or 90m, or a number of seconds")
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		return 0, apperr.InvalidField("due_within", "due_within must be positive")
	}
	return d, nil
}

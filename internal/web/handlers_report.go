package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets/report"
)

// bar is one row of the report chart: met and breached first responses as widths of a 300-unit
// SVG bar (server-rendered, no script).
type bar struct {
	report.Row
	Y, MetW, BreachedW, BX, TextY int
	MetPct                        string
}

type reportData struct {
	From, To string // dates (yyyy-mm-dd) in the viewer's zone, inclusive
	Report   report.SLA
	Bars     []bar
	Height   int
}

// reportPeriod reads from and to (dates in the viewer's zone, to inclusive; the last 30 days by
// default).
func (s *Server) reportPeriod(c *fiber.Ctx) (from, to time.Time, d reportData, err error) {
	u := reqOf(c).user
	if !u.Role.Staff() {
		return from, to, d, apperr.NotFoundf("not found")
	}
	if !manager(*u) && u.Role != accounts.Executive {
		return from, to, d, apperr.New(apperr.Forbidden, "forbidden", "the SLA report is for managers")
	}
	zone := reqOf(c).zone
	now := s.deps.Clock.Now().In(zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	from, to = today.AddDate(0, 0, -29), today
	if v, e := time.ParseInLocation("2006-01-02", c.Query("from"), zone); e == nil {
		from = v
	}
	if v, e := time.ParseInLocation("2006-01-02", c.Query("to"), zone); e == nil {
		to = v
	}
	if to.Before(from) {
		from, to = to, from
	}
	d.From, d.To = from.Format("2006-01-02"), to.Format("2006-01-02")
	return from, to.AddDate(0, 0, 1), d, nil
}

// reportPage is the SLA report per tier and severity for a period (the same report.Service.SLA as
// GET /v1/reports/sla), with a bar chart of first responses met and breached.
func (s *Server) reportPage(c *fiber.Ctx) error {
	from, to, d, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	if d.Report, err = s.deps.Reports.SLA(c.UserContext(), *reqOf(c).user, from, to); err != nil {
		return err
	}
	for i, r := range d.Report.Rows {
		b := bar{Row: r, Y: i * 28, TextY: i*28 + 15}
		if n := r.FirstResponseMet + r.FirstResponseBreached; n > 0 {
			b.MetW = 300 * r.FirstResponseMet / n
			b.BreachedW = 300 - b.MetW
			b.MetPct = strconv.Itoa(100*r.FirstResponseMet/n) + "%"
		}
		b.BX = 160 + b.MetW
		d.Bars = append(d.Bars, b)
	}
	d.Height = len(d.Bars)*28 + 4
	return s.show(c, fiber.StatusOK, "report", s.page(c, "manager", "mgr.report", d))
}

// reportCSV downloads the same report as CSV, one line per tier and severity.
func (s *Server) reportCSV(c *fiber.Ctx) error {
	from, to, d, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	rep, err := s.deps.Reports.SLA(c.UserContext(), *reqOf(c).user, from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"tier", "severity", "incidents", "first_response_met", "first_response_breached",
		"first_response_median_seconds", "first_response_p90_seconds", "update_cadence_breaches", "escalations_level_1", "escalations_level_2"})
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 0, 64)
	}
	for _, r := range rep.Rows {
		w.Write([]string{r.Tier, strconv.Itoa(r.Severity), strconv.Itoa(r.Incidents), strconv.Itoa(r.FirstResponseMet),
			strconv.Itoa(r.FirstResponseBreached), opt(r.FirstResponseMedianSec), opt(r.FirstResponseP90Sec),
			strconv.Itoa(r.UpdateCadenceBreaches), strconv.Itoa(r.EscalationsLevel1), strconv.Itoa(r.EscalationsLevel2)})
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="sla-report-%s-%s.csv"`, d.From, d.To))
	return c.Send(buf.Bytes())
}

package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
)

// period reads ?from&to (RFC 3339); the default is the last 30 days.
func (s *Server) period(c *fiber.Ctx) (time.Time, time.Time, error) {
	to := s.deps.Clock.Now()
	from := to.AddDate(0, 0, -30)
	var err error
	if v := c.Query("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, apperr.InvalidField("from", "from must be an RFC 3339 time")
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, apperr.InvalidField("to", "to must be an RFC 3339 time")
		}
	}
	return from, to, nil
}

func (s *Server) listCredits(c *fiber.Ctx) error {
	from, to, err := s.period(c)
	if err != nil {
		return err
	}
	u := caller(c)
	var org uuid.UUID
	switch v := c.Query("organization_id"); {
	case v != "":
		if org, err = uuid.Parse(v); err != nil {
			return apperr.InvalidField("organization_id", "organization_id must be a UUID")
		}
	case u.OrganizationID != nil:
		org = *u.OrganizationID
	default:
		return apperr.InvalidField("organization_id", "staff must name the organization_id")
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	items, next, total, err := s.deps.Incidents.Credits(c.UserContext(), u, org, from, to, req)
	if err != nil {
		return err
	}
	return c.JSON(creditsWire{Items: mapEach(items, toCreditWire), Next: next, OrganizationID: org, From: from, To: to, Total: total})
}

func (s *Server) slaReport(c *fiber.Ctx) error {
	from, to, err := s.period(c)
	if err != nil {
		return err
	}
	rep, err := s.deps.Reports.SLA(c.UserContext(), caller(c), from, to)
	if err != nil {
		return err
	}
	if c.Query("format") != "csv" && c.Get(fiber.HeaderAccept) != "text/csv" {
		return c.JSON(toSLAReportWire(rep))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"tier", "severity", "incidents", "first_response_met", "first_response_breached",
		"first_response_median_seconds", "first_response_p90_seconds", "update_cadence_breaches", "escalations_level_1", "escalations_level_2",
		"escalations_level_1_deadline", "escalations_level_1_request", "escalations_level_1_higher_level",
		"escalations_level_2_deadline", "escalations_level_2_request"})
	opt := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', 1, 64)
	}
	for _, r := range rep.Rows {
		_ = w.Write([]string{r.Tier, strconv.Itoa(r.Severity), strconv.Itoa(r.Incidents), strconv.Itoa(r.FirstResponseMet),
			strconv.Itoa(r.FirstResponseBreached), opt(r.FirstResponseMedianSec), opt(r.FirstResponseP90Sec),
			strconv.Itoa(r.UpdateCadenceBreaches), strconv.Itoa(r.EscalationsLevel1), strconv.Itoa(r.EscalationsLevel2),
			strconv.Itoa(r.EscalationsLevel1Deadline), strconv.Itoa(r.EscalationsLevel1Request), strconv.Itoa(r.EscalationsLevel1HigherLevel),
			strconv.Itoa(r.EscalationsLevel2Deadline), strconv.Itoa(r.EscalationsLevel2Request)})
	}
	_ = w.Write(nil)
	_ = w.Write([]string{"tier_group", "channel", "assigned", "mean_seconds_to_assign", "target_seconds", "within_target"})
	for _, h := range rep.Handoffs {
		within := ""
		if h.WithinTarget != nil {
			within = fmt.Sprint(*h.WithinTarget)
		}
		_ = w.Write([]string{h.TierGroup, h.Channel, strconv.Itoa(h.Assigned), opt(h.MeanSeconds), fmt.Sprint(h.TargetSeconds), within})
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return c.Send(buf.Bytes())
}

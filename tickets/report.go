package tickets

import (
	"context"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

// ReportRow is one tier and severity of the SLA report.
type ReportRow struct {
	Tier                   string
	Severity               int
	Incidents              int
	FirstResponseMet       int
	FirstResponseBreached  int
	FirstResponseMedianSec *float64
	FirstResponseP90Sec    *float64
	UpdateCadenceBreaches  int
	// EscalationsLevel1 and EscalationsLevel2 count the incidents whose level was reached and its
	// recipients told (support managers, executives): by deadline or by request. A level 1 passed
	// over because level 2 was reached first is counted apart, as higher_level: no support
	// manager received it.
	EscalationsLevel1            int
	EscalationsLevel2            int
	EscalationsLevel1Deadline    int
	EscalationsLevel1Request     int
	EscalationsLevel1HigherLevel int
	EscalationsLevel2Deadline    int
	EscalationsLevel2Request     int
}

// AssignRow is the mean time from intake to an assigned engineer for one tier group and channel,
// next to the seed's internal handoff target (reported, not timed per incident).
type AssignRow struct {
	TierGroup     string // standard, or premium_platinum
	Channel       string
	Assigned      int
	MeanSeconds   *float64
	TargetSeconds float64
	WithinTarget  *bool
}

// Report is GET /v1/reports/sla.
type Report struct {
	From     time.Time
	To       time.Time
	Rows     []ReportRow
	Handoffs []AssignRow
}

// handoffTargets are seed 003's internal targets for the time from intake to an assigned engineer.
var handoffTargets = map[string]map[string]float64{
	"standard":         {"phone": 3 * 60, "web": 4 * 3600, "email": 4 * 3600, "api": 4 * 3600},
	"premium_platinum": {"phone": 2 * 60, "web": 3600, "email": 3600, "api": 3600},
}

// SLAReport aggregates incidents accepted in [from, to): per tier and severity the first
// responses met and breached, median and p90 time to first response, update-cadence breaches and
// escalations per level and cause (deadline, request, higher_level); and mean time to assign per channel against the handoff targets. Staff
// only.
// Errors: forbidden, invalid_value (to).
func (s *Service) SLAReport(ctx context.Context, actor accounts.User, from, to time.Time) (Report, error) {
	if !actor.Role.Staff() {
		return Report{}, apperr.New(apperr.Forbidden, "forbidden", "reports are for staff")
	}
	if !to.After(from) {
		return Report{}, apperr.InvalidField("to", "to must be after from")
	}
	rep := Report{From: from, To: to, Rows: []ReportRow{}, Handoffs: []AssignRow{}}
	err := s.store.db.WithContext(ctx).Raw(`
		WITH inc AS (SELECT id, tier, severity, accepted_at FROM incidents WHERE accepted_at >= ? AND accepted_at < ?),
		ev AS (
			SELECT e.incident_id, e.kind, e.at, e.data->>'target' AS target, (e.data->>'level')::int AS level,
				coalesce(e.data->>'cause', CASE e.data->>'reason' WHEN 'customer_request' THEN 'request' ELSE 'deadline' END) AS cause
			FROM incident_events e JOIN inc ON inc.id = e.incident_id
			WHERE e.kind IN ('acknowledged', 'sla_breached', 'escalated')),
		per AS (
			SELECT inc.id, inc.tier, inc.severity,
				(SELECT min(at) FROM ev WHERE ev.incident_id = inc.id AND kind = 'acknowledged') - inc.accepted_at AS to_ack,
				EXISTS (SELECT 1 FROM ev WHERE ev.incident_id = inc.id AND kind = 'sla_breached' AND target = 'first_response') AS fr_breached,
				(SELECT count(*) FROM ev WHERE ev.incident_id = inc.id AND kind = 'sla_breached' AND target = 'update_cadence') AS uc_breaches,
				(SELECT cause FROM ev WHERE ev.incident_id = inc.id AND kind = 'escalated' AND level = 1 ORDER BY at LIMIT 1) AS esc1,
				(SELECT cause FROM ev WHERE ev.incident_id = inc.id AND kind = 'escalated' AND level = 2 ORDER BY at LIMIT 1) AS esc2
			FROM inc)
		SELECT tier, severity, count(*) AS incidents,
			count(*) FILTER (WHERE to_ack IS NOT NULL AND NOT fr_breached) AS first_response_met,
			count(*) FILTER (WHERE fr_breached) AS first_response_breached,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM to_ack)) AS first_response_median_sec,
			percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM to_ack)) AS first_response_p90_sec,
			coalesce(sum(uc_breaches), 0) AS update_cadence_breaches,
			count(esc1) AS escalations_level1,
			count(esc2) AS escalations_level2,
			count(*) FILTER (WHERE esc1 = 'deadline') AS escalations_level1_deadline,
			count(*) FILTER (WHERE esc1 = 'request') AS escalations_level1_request,
			count(*) FILTER (WHERE esc1 IS NULL AND esc2 IS NOT NULL) AS escalations_level1_higher_level,
			count(*) FILTER (WHERE esc2 = 'deadline') AS escalations_level2_deadline,
			count(*) FILTER (WHERE esc2 = 'request') AS escalations_level2_request
		FROM per GROUP BY tier, severity
		ORDER BY array_position(ARRAY['platinum','premium','standard'], tier), severity`, from, to).Scan(&rep.Rows).Error
	if err != nil {
		return Report{}, translate(err, "report")
	}
	var handoffs []struct {
		TierGroup   string
		Channel     string
		Assigned    int
		MeanSeconds *float64
	}
	err = s.store.db.WithContext(ctx).Raw(`
		SELECT CASE WHEN i.tier = 'standard' THEN 'standard' ELSE 'premium_platinum' END AS tier_group, i.channel,
			count(*) AS assigned, avg(extract(epoch FROM a.first_at - i.accepted_at)) AS mean_seconds
		FROM incidents i JOIN LATERAL (SELECT min(at) AS first_at FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'assigned') a ON a.first_at IS NOT NULL
		WHERE i.accepted_at >= ? AND i.accepted_at < ?
		GROUP BY 1, 2 ORDER BY 1, 2`, from, to).Scan(&handoffs).Error
	if err != nil {
		return Report{}, translate(err, "report")
	}
	for _, h := range handoffs {
		row := AssignRow{TierGroup: h.TierGroup, Channel: h.Channel, Assigned: h.Assigned, MeanSeconds: h.MeanSeconds,
			TargetSeconds: handoffTargets[h.TierGroup][h.Channel]}
		if h.MeanSeconds != nil {
			ok := *h.MeanSeconds <= row.TargetSeconds
			row.WithinTarget = &ok
		}
		rep.Handoffs = append(rep.Handoffs, row)
	}
	return rep, nil
}

package report

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Store reads the incidents and their timelines that tickets writes. It only reads: a SELECT of
// another package's tables is allowed here (internal/seams: readers), a write is not.
type Store struct{ db *gorm.DB }

// NewStore returns the read-side store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// slaRows aggregates the incidents accepted in [from, to) per tier and severity.
func (s *Store) slaRows(ctx context.Context, from, to time.Time) ([]Row, error) {
	var rows []Row
	err := s.db.WithContext(ctx).Raw(`
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
		ORDER BY array_position(ARRAY['platinum','premium','standard'], tier), severity`, from, to).Scan(&rows).Error
	return rows, err
}

// handoffRow is the mean time to assign of one tier group and channel.
type handoffRow struct {
	TierGroup   string
	Channel     string
	Assigned    int
	MeanSeconds *float64
}

// handoffs averages the time from intake to the first assignment per tier group and channel.
func (s *Store) handoffs(ctx context.Context, from, to time.Time) ([]handoffRow, error) {
	var handoffs []handoffRow
	err := s.db.WithContext(ctx).Raw(`
		SELECT CASE WHEN i.tier = 'standard' THEN 'standard' ELSE 'premium_platinum' END AS tier_group, i.channel,
			count(*) AS assigned, avg(extract(epoch FROM a.first_at - i.accepted_at)) AS mean_seconds
		FROM incidents i JOIN LATERAL (SELECT min(at) AS first_at FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'assigned') a ON a.first_at IS NOT NULL
		WHERE i.accepted_at >= ? AND i.accepted_at < ?
		GROUP BY 1, 2 ORDER BY 1, 2`, from, to).Scan(&handoffs).Error
	return handoffs, err
}

package tickets

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/supportd/supportd/internal/clock"
	"gorm.io/gorm"
)

// TimerCollector exports the pending timers from PostgreSQL at each scrape, so every process
// reports what every worker left: how many deadlines and warnings are pending, and how long the
// oldest overdue one has waited (0 when none), the series the "deadline later than the
// reconciliation interval" alert reads. Both reads walk the partial index of pending timers.
type TimerCollector struct {
	db             *gorm.DB
	clock          clock.Clock
	pending, stuck *prometheus.Desc
}

// NewTimerCollector returns the collector.
func NewTimerCollector(db *gorm.DB, c clock.Clock) *TimerCollector {
	return &TimerCollector{db: db, clock: c,
		pending: prometheus.NewDesc("supportd_sla_timers_pending", "Pending SLA timers, by kind (deadline, warning).", []string{"kind"}, nil),
		stuck: prometheus.NewDesc("supportd_sla_oldest_overdue_seconds",
			"How long the oldest pending timer is past its due time (0: none overdue).", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *TimerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.stuck
}

// Collect implements prometheus.Collector; a database error leaves the series out.
func (c *TimerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var r struct {
		Deadlines, Warnings int64
		Oldest              *time.Time
	}
	if err := c.db.WithContext(ctx).Raw(`SELECT count(*) FILTER (WHERE warning = 0) AS deadlines, count(*) FILTER (WHERE warning > 0) AS warnings,
		min(due_at) AS oldest FROM sla_timers WHERE state = 'pending'`).Scan(&r).Error; err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(r.Deadlines), "deadline")
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(r.Warnings), "warning")
	late := 0.0
	if r.Oldest != nil {
		late = max(0, c.clock.Now().Sub(*r.Oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.stuck, prometheus.GaugeValue, late)
}

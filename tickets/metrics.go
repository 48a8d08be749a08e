package tickets

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/supportd/supportd/internal/clock"
)

// timerCollector exports the pending timers from PostgreSQL at each scrape, so every process
// reports what every worker left: how many deadlines and warnings are pending, and how long the
// oldest overdue one has waited (0 when none), the series the "deadline later than the
// reconciliation interval" alert reads. Both reads walk the partial index of pending timers.
type timerCollector struct {
	store          *Store
	clock          clock.Clock
	pending, stuck *prometheus.Desc
}

// NewTimerCollector returns the collector of pending timers (see timerCollector) reading st.
func NewTimerCollector(st *Store, c clock.Clock) prometheus.Collector {
	c = clock.Required(c, "tickets.NewTimerCollector")
	return &timerCollector{store: st, clock: c,
		pending: prometheus.NewDesc("supportd_sla_timers_pending", "Pending SLA timers, by kind (deadline, warning).", []string{"kind"}, nil),
		stuck: prometheus.NewDesc("supportd_sla_oldest_overdue_seconds",
			"How long the oldest pending timer is past its due time (0: none overdue).", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *timerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.stuck
}

// Collect implements prometheus.Collector; a database error leaves the series out.
func (c *timerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	deadlines, warnings, oldest, err := c.store.pendingStats(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(deadlines), "deadline")
	ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(warnings), "warning")
	late := 0.0
	if oldest != nil {
		late = max(0, c.clock.Now().Sub(*oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.stuck, prometheus.GaugeValue, late)
}

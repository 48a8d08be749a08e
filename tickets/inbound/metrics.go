package inbound

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports the mail channel's state from PostgreSQL at each scrape, so whichever
// process serves /metrics reports what every worker recorded: per mailbox whether it is
// failing and its consecutive failures, and the stored messages per state.
type Collector struct {
	store                    *Store
	failing, failures, count *prometheus.Desc
}

// NewCollector returns the collector over the mail channel's store.
func NewCollector(s *Store) *Collector {
	return &Collector{store: s,
		failing:  prometheus.NewDesc("supportd_mailbox_failing", "1 while the mailbox cannot be read.", []string{"mailbox"}, nil),
		failures: prometheus.NewDesc("supportd_mailbox_consecutive_failures", "Failed reads of the mailbox since its last good one.", []string{"mailbox"}, nil),
		count:    prometheus.NewDesc("supportd_inbound_messages", "Stored incoming messages by state.", []string{"state"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.failing
	ch <- c.failures
	ch <- c.count
}

// Collect implements prometheus.Collector; a database error leaves the metrics out.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if mbs, err := c.store.mailboxHealth(ctx); err == nil {
		for _, m := range mbs {
			f := 0.0
			if m.State == StateFailing {
				f = 1
			}
			ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, f, m.Name)
			ch <- prometheus.MustNewConstMetric(c.failures, prometheus.GaugeValue, float64(m.Failures), m.Name)
		}
	}
	if states, err := c.store.messageCounts(ctx); err == nil {
		for state, n := range states {
			ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(n), state)
		}
	}
}

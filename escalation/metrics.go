package escalation

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/supportd/supportd/internal/clock"
)

// OutboxCollector exports the notification outbox from PostgreSQL at each scrape: the e-mail
// and webhook rows waiting to be sent (the backlog a growing-outbox alert watches), the rows
// failed for good, and the age of the oldest waiting row, by channel. The backlog read walks
// the partial index of pending rows.
type OutboxCollector struct {
	store                   *Store
	clock                   clock.Clock
	backlog, failed, oldest *prometheus.Desc
}

// NewOutboxCollector returns the collector reading store.
func NewOutboxCollector(store *Store, c clock.Clock) *OutboxCollector {
	c = clock.Required(c, "escalation.NewOutboxCollector")
	return &OutboxCollector{store: store, clock: c,
		backlog: prometheus.NewDesc("supportd_outbox_backlog", "Notifications waiting to be sent, by channel.", []string{"channel"}, nil),
		failed:  prometheus.NewDesc("supportd_outbox_failed", "Notifications that used up their attempts, by channel.", []string{"channel"}, nil),
		oldest: prometheus.NewDesc("supportd_outbox_oldest_pending_seconds",
			"Age of the oldest notification waiting to be sent, by channel.", []string{"channel"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *OutboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.backlog
	ch <- c.failed
	ch <- c.oldest
}

// Collect implements prometheus.Collector; a database error leaves the series out.
func (c *OutboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pending, err := c.store.countPending(ctx)
	if err != nil {
		return
	}
	failed, err := c.store.countFailed(ctx)
	if err != nil {
		return
	}
	now := c.clock.Now()
	seen := map[string]bool{}
	for _, p := range pending {
		seen[p.Channel] = true
		ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(p.N), p.Channel)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, max(0, now.Sub(p.Oldest).Seconds()), p.Channel)
	}
	nfailed := map[string]int64{}
	for _, f := range failed {
		nfailed[f.Channel] = f.N
	}
	for _, channel := range []string{string(ChannelEmail), string(ChannelWebhook)} {
		if !seen[channel] {
			ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, 0, channel)
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, 0, channel)
		}
		ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, float64(nfailed[channel]), channel)
	}
}

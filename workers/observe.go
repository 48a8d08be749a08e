package workers

import (
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// asynqLogger routes asynq's logs into slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq", "fatal", true)
}

// QueueCollector exports asynq queue sizes as Prometheus gauges, read from Redis at scrape time.
type QueueCollector struct {
	inspector *asynq.Inspector
	size      *prometheus.Desc
	latency   *prometheus.Desc
}

// NewQueueCollector returns a collector over the given Redis.
func NewQueueCollector(redis asynq.RedisConnOpt) *QueueCollector {
	return &QueueCollector{
		inspector: asynq.NewInspector(redis),
		size: prometheus.NewDesc("supportd_queue_tasks", "Tasks in an asynq queue by state.",
			[]string{"queue", "state"}, nil),
		latency: prometheus.NewDesc("supportd_queue_latency_seconds", "Age of the oldest pending task.",
			[]string{"queue"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.size
	ch <- q.latency
}

// Collect implements prometheus.Collector. A queue that does not exist yet reports zeros.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	for name := range Queues {
		info, err := q.inspector.GetQueueInfo(name)
		if err != nil {
			info = &asynq.QueueInfo{Queue: name}
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active,
			"scheduled": info.Scheduled, "retry": info.Retry, "archived": info.Archived} {
			ch <- prometheus.MustNewConstMetric(q.size, prometheus.GaugeValue, float64(n), name, state)
		}
		ch <- prometheus.MustNewConstMetric(q.latency, prometheus.GaugeValue, info.Latency.Seconds(), name)
	}
}

// Close releases the inspector's connection.
func (q *QueueCollector) Close() error { return q.inspector.Close() }

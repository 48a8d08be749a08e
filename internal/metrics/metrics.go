// Package metrics holds the engine's own Prometheus series beyond HTTP: what the workers decide
// (deadlines fired, lateness, warnings, escalations, deliveries, reconciliation repairs,
// reminders). Counts live in the process that decides, so `supportd work` serves them on its own
// listener (METRICS_ADDR) and `supportd serve` on /metrics; Prometheus sums the processes. What
// PostgreSQL knows as state (pending timers, the outbox backlog, failing mailboxes) is read at
// each scrape by collectors of the owning packages, and every process reports the same value.
package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Set is one process's series. A nil *Set records nothing, so components work without one.
type Set struct {
	fired       *prometheus.CounterVec
	lateness    *prometheus.HistogramVec
	warnings    *prometheus.CounterVec
	escalations *prometheus.CounterVec
	failures    *prometheus.CounterVec
	repairs     *prometheus.CounterVec
	reminders   prometheus.Counter
	interval    prometheus.Gauge
}

// LatenessBuckets are the lateness histogram's bounds in seconds: a lone deadline is decided
// within milliseconds, a burst within tens of seconds, a lost delivery within the reconciliation
// interval (5 s by default).
var LatenessBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}

// New registers the series on reg and returns them.
func New(reg prometheus.Registerer) *Set {
	s := &Set{
		fired: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "supportd_sla_deadlines_fired_total",
			Help: "Deadline timers decided, by target and outcome (breached, escalated; cancelled when the plan no longer needed them)."},
			[]string{"target", "outcome"}),
		lateness: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "supportd_sla_deadline_lateness_seconds",
			Help: "From a deadline to its breach or escalation being recorded, by target.", Buckets: LatenessBuckets}, []string{"target"}),
		warnings: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "supportd_sla_warnings_sent_total",
			Help: "Warnings before a breach told, by target."}, []string{"target"}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "supportd_escalations_total",
			Help: "Escalation levels reached, by level and cause (deadline, request)."}, []string{"level", "cause"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "supportd_outbox_delivery_failures_total",
			Help: "Failed notification sends (each attempt), by channel (email, webhook)."}, []string{"channel"}),
		repairs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "supportd_reconcile_repairs_total",
			Help: "Timers reconciliation handed to the queue again, by kind (unenqueued, redelivered, redis_lost)."}, []string{"kind"}),
		reminders: prometheus.NewCounter(prometheus.CounterOpts{Name: "supportd_renewal_reminders_sent_total",
			Help: "Renewal reminders sent."}),
		interval: prometheus.NewGauge(prometheus.GaugeOpts{Name: "supportd_reconcile_interval_seconds",
			Help: "RECONCILE_INTERVAL of this worker: the bound on a deadline's lateness after a lost delivery."}),
	}
	reg.MustRegister(s.fired, s.lateness, s.warnings, s.escalations, s.failures, s.repairs, s.reminders)
	// Every series exists from the start at zero, so rates and alerts see a first increase.
	for _, t := range []string{"first_response", "update_cadence", "support_manager", "executive", "remediation"} {
		outcomes := []string{"breached", "cancelled"}
		if t == "support_manager" || t == "executive" {
			outcomes = []string{"escalated", "cancelled"}
		} else {
			s.warnings.WithLabelValues(t)
		}
		for _, o := range outcomes {
			s.fired.WithLabelValues(t, o)
		}
		s.lateness.WithLabelValues(t)
	}
	for _, l := range []string{"1", "2"} {
		for _, c := range []string{"deadline", "request"} {
			s.escalations.WithLabelValues(l, c)
		}
	}
	for _, c := range []string{"email", "webhook"} {
		s.failures.WithLabelValues(c)
	}
	for _, k := range []string{"unenqueued", "redelivered", "redis_lost"} {
		s.repairs.WithLabelValues(k)
	}
	return s
}

// TimerFired records a deadline timer decided with outcome; lateness counts for breaches and
// escalations, the outcomes a deadline passing records.
func (s *Set) TimerFired(target, outcome string, late time.Duration) {
	if s == nil {
		return
	}
	s.fired.WithLabelValues(target, outcome).Inc()
	if outcome == "breached" || outcome == "escalated" {
		s.lateness.WithLabelValues(target).Observe(late.Seconds())
	}
}

// WarningSent records a warning told.
func (s *Set) WarningSent(target string) {
	if s != nil {
		s.warnings.WithLabelValues(target).Inc()
	}
}

// Escalated records an escalation level reached.
func (s *Set) Escalated(level int, cause string) {
	if s != nil {
		s.escalations.WithLabelValues(strconv.Itoa(level), cause).Inc()
	}
}

// DeliveryFailed records a failed send on channel.
func (s *Set) DeliveryFailed(channel string) {
	if s != nil {
		s.failures.WithLabelValues(channel).Inc()
	}
}

// Repaired records n timers reconciliation handed to the queue again.
func (s *Set) Repaired(kind string, n int) {
	if s != nil && n > 0 {
		s.repairs.WithLabelValues(kind).Add(float64(n))
	}
}

// RemindersSent records renewal reminders sent.
func (s *Set) RemindersSent(n int) {
	if s != nil && n > 0 {
		s.reminders.Add(float64(n))
	}
}

// ReconcileInterval publishes the worker's reconciliation interval (registered on first use,
// so only worker processes report it).
func (s *Set) ReconcileInterval(reg prometheus.Registerer, d time.Duration) {
	if s == nil {
		return
	}
	_ = reg.Register(s.interval)
	s.interval.Set(d.Seconds())
}

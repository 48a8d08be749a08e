package api

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "supportd_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "supportd_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	// Registering twice (several servers on one registry in tests) is harmless.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe logs each request with its ID and records its count and latency under the route
// pattern (not the raw path, which would explode the label set).
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler has not run yet: compute the status it will write.
		if st, ok := statusOf[classify(err).Kind]; ok {
			status = st
		}
	}
	routePath := c.Route().Path
	if status == fiber.StatusNotFound && routePath == "/" {
		routePath = "unmatched"
	}
	d := time.Since(start)
	s.httpm.requests.WithLabelValues(c.Method(), routePath, strconv.Itoa(status)).Inc()
	s.httpm.latency.WithLabelValues(c.Method(), routePath).Observe(d.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.deps.Log.Log(c.UserContext(), level, "http", "request_id", requestID(c), "method", c.Method(),
		"path", c.Path(), "route", routePath, "status", status, "duration_ms", float64(d.Microseconds())/1000)
	return err
}

func (s *Server) metrics(c *fiber.Ctx) error {
	h := fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(s.deps.Registry, promhttp.HandlerOpts{}))
	h(c.Context())
	return nil
}

// Package api is the HTTP interface of the engine, on Fiber v2. It is the only package that
// imports Fiber: handlers decode, call the domain, encode; errors map to statuses in one place.
//
// What goes over the wire is the API's own: request types beside their handlers, answer types
// in wire_*.go with a to*Wire converter from the domain type. Domain types carry no json tags
// unless their JSON is stored. /openapi.json's schemas are generated from these types
// (schemagen.go, schemas.go), so the document describes what the handlers encode.
package api

import (
	"context"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/sla/replay"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/tickets/report"
)

// Deps are what the handlers call.
type Deps struct {
	Accounts     *accounts.Store
	Incidents    *tickets.Service
	Entitlements *entitlement.Service
	Inbox        *escalation.Inbox
	Catalog      *catalog.Catalog
	Replays      *replay.Service
	Reports      *report.Service
	Escalations  *escalation.Escalations
	Webhooks     *escalation.Webhooks
	// Mail is the e-mail channel: mailboxes, inbound messages, attachments.
	Mail *inbound.Service
	// Followers keeps incident followers and notification preferences.
	Followers *escalation.Followers
	Clock     clock.Clock
	// Ready holds the readiness checks by name (e.g. "postgres", "redis").
	Ready map[string]func(context.Context) error
	// Registry collects the HTTP metrics; /metrics serves it (and whatever else is registered).
	Registry *prometheus.Registry
	Log      *slog.Logger
	// BodyLimit is the largest request body accepted, in bytes (default 1 MiB).
	BodyLimit int
	// TooLargePage, when set, is the HTML page a request outside /v1 (a browser's form) gets
	// instead of the JSON error when its body is over BodyLimit; nil (or a nil page): JSON.
	TooLargePage func(c *fiber.Ctx) []byte
}

// Server is the HTTP API.
type Server struct {
	deps  Deps
	app   *fiber.App
	httpm *httpMetrics
	table []route
}

// New builds the Fiber app with every route of routes(). It panics when d.Log or d.Clock is nil:
// the composition root injects the process logger (request IDs, level, format) and the one
// clock, and a default here would silently bypass either; a wiring mistake is found at start.
func New(d Deps) *Server {
	if d.Log == nil {
		panic("api.New: Log is required")
	}
	if d.Clock == nil {
		panic("api.New: Clock is required")
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.BodyLimit <= 0 {
		d.BodyLimit = 1 << 20
	}
	s := &Server{deps: d, httpm: newHTTPMetrics(d.Registry)}
	s.table = s.routes()
	s.app = fiber.New(fiber.Config{
		AppName: "supportd",
		// Fiber's strings otherwise alias buffers reused by the next request; a value kept past
		// the handler (a metric label, a stored body) would silently change under us.
		Immutable: true,
		BodyLimit: d.BodyLimit,
		// The body is streamed so that readBody can drain one over the limit and answer a 413
		// the client reads, instead of closing on a client still sending.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		ReadBufferSize:               maxHeaderBytes, // larger request headers are a 431
		ErrorHandler:                 errorHandler(d.Log, s.allow),
		DisableStartupMessage:        true,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 30 * time.Second,
		IdleTimeout:                  120 * time.Second,
	})
	s.app.Use(requestid.New(requestid.Config{ContextKey: requestIDKey}))
	s.app.Use(s.observe)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: func(c *fiber.Ctx, e any) {
		d.Log.Error("panic", "request_id", requestID(c), "panic", e)
	}}))
	s.app.Use(s.readBody)
	for _, r := range s.table {
		handlers := []fiber.Handler{}
		if r.roles != nil {
			handlers = append(handlers, s.authenticate(r.roles))
		}
		handlers = append(handlers, checkRequest(r), r.handler)
		s.app.Add(r.method, r.path, handlers...)
	}
	return s
}

// Listener serves on ln until Shutdown.
func (s *Server) Listener(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits for in-flight requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }

// App is the underlying Fiber app, for in-process tests (app.Test).
func (s *Server) App() *fiber.App { return s.app }

const requestIDKey = "requestid"

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

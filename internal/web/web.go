// Package web is the browser interface of the engine: server-rendered pages (html/template,
// embedded), sign-in with sessions kept in PostgreSQL, CSRF tokens, a per-request
// Content-Security-Policy nonce, and the message catalogues (ja, en). It sits beside internal/api
// in the HTTP layer and goes through the same domain services, so pages obey the same rules and
// audiences as the API.
package web

import (
	"errors"
	"log/slog"
	"time"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/tickets/report"
)

// Deps are what the pages call.
type Deps struct {
	Accounts     *accounts.Store
	Incidents    *tickets.Service
	Entitlements *entitlement.Service
	// Reports are the read-side reports (the managers' SLA report page).
	Reports *report.Service
	// Mailer sends sign-in links; nil when SMTP_URL is unset (links are then not sent).
	Mailer *escalation.Mailer
	Clock  clock.Clock
	Log    *slog.Logger
	// Sessions are the idle and absolute lifetimes of a browser session.
	Sessions accounts.SessionPolicy
	// PublicURL is the base of links in e-mails (never taken from the request's Host header,
	// which an attacker chooses).
	PublicURL string
	// Zone is the time zone of users who have not chosen one.
	Zone *time.Location
	// Admin is what the admin pages call (routes_admin.go).
	Admin AdminDeps
	// OIDC configures staff sign-in through an OpenID Connect provider (oidc.go); zero: off.
	OIDC OIDCConfig
	// Catalog gives the calendars the staff pages count business time with.
	Catalog *catalog.Catalog
	// Escalations are the escalations addressed to managers (the manager view).
	Escalations *escalation.Escalations
	// Files are the incidents' attachments (the same service as the API's); nil leaves them out.
	Files *inbound.Service
	// Presence tells staff who else has an incident open; nil leaves the warning out.
	Presence *Presence
}

// Server serves the pages.
type Server struct {
	deps  Deps
	views *views
	oidc  *oidcClient // nil when OIDC is not configured
}

// New parses the embedded templates and catalogues; it fails when d.Log or d.Clock is nil (the
// composition root injects the process logger and the one clock: a default here would bypass
// the logger's settings or the tests' clock), when a view the handlers use is missing, or when
// a template names a message the catalogues lack.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		return nil, errors.New("web.New: Log is required")
	}
	if d.Clock == nil {
		return nil, errors.New("web.New: Clock is required")
	}
	if d.Zone == nil {
		d.Zone = time.UTC
	}
	if d.Sessions.Idle <= 0 {
		d.Sessions.Idle = 2 * time.Hour
	}
	if d.Sessions.Absolute <= 0 {
		d.Sessions.Absolute = 7 * 24 * time.Hour
	}
	v, err := loadViews(content, viewNames)
	if err != nil {
		return nil, err
	}
	return &Server{deps: d, views: v, oidc: newOIDC(d.OIDC, d.PublicURL)}, nil
}

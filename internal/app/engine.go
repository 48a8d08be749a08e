package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/api"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/metrics"
	"github.com/supportd/supportd/internal/secretbox"
	"github.com/supportd/supportd/internal/web"
	"github.com/supportd/supportd/migrations"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/sla/replay"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/tickets/report"
	"github.com/supportd/supportd/workers"
	"gorm.io/gorm"
)

// Engine is the assembled engine: connections and domain services.
type Engine struct {
	Cfg       Config
	Log       *slog.Logger
	Clock     clock.Clock
	DB        *gorm.DB
	Redis     asynq.RedisConnOpt
	rdb       *redis.Client
	Accounts  *accounts.Store
	Incidents *tickets.Service
	// Reports are the read-side reports (the SLA report).
	Reports *report.Service
	// Replays plans past incidents again under draft policies (read-side only).
	Replays      *replay.Service
	Entitlements *entitlement.Service
	Catalog      *catalog.Catalog
	// IncidentStore is tickets' whole store (incidents, timers, idempotency keys): the queue,
	// the workers and the replay read through it.
	IncidentStore *tickets.Store
	Queue         *workers.TimerQueue
	Outbox        *escalation.Outbox
	Mailer        *escalation.Mailer
	Webhooks      *escalation.Webhooks
	Escalations   *escalation.Escalations
	escStore      *escalation.Store
	Secrets       *secretbox.Box  // nil without SECRET_KEY
	mailSigner    *mailmsg.Signer // set by PrepareMail
	Mail          *inbound.Service
	MailQueue     *workers.MailQueue
	// Registry holds every series this process reports (serve's /metrics, work's METRICS_ADDR);
	// Metrics are the engine's own counters on it.
	Registry *prometheus.Registry
	Metrics  *metrics.Set
}

// NewLogger returns the slog logger the configuration asks for.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// Open connects to PostgreSQL and Redis and builds the services. It does not migrate.
func Open(ctx context.Context, cfg Config, log *slog.Logger, c clock.Clock) (*Engine, error) {
	db, err := dbx.Open(ctx, cfg.DatabaseURL, dbx.Options{MaxOpenConns: cfg.DBMaxConns, Clock: c, Log: log})
	if err != nil {
		return nil, err
	}
	ropt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	e := &Engine{Cfg: cfg, Log: log, Clock: c, DB: db, rdb: redis.NewClient(ropt),
		Redis: asynq.RedisClientOpt{Addr: ropt.Addr, Username: ropt.Username, Password: ropt.Password, DB: ropt.DB, TLSConfig: ropt.TLSConfig}}
	e.Accounts = accounts.NewStore(db, c)
	ents := entitlement.NewStore(db)
	e.Entitlements = entitlement.NewService(ents, e.Accounts, c)
	e.Catalog = catalog.New(catalog.NewStore(db), c)
	if e.Mailer, err = escalation.NewMailer(cfg.SMTPURL); err != nil {
		return nil, err
	}
	e.Outbox = escalation.NewOutbox(e.Accounts, e.Mailer)
	if cfg.SecretKey != nil {
		if e.Secrets, err = secretbox.New(cfg.SecretKey); err != nil {
			return nil, fmt.Errorf("SECRET_KEY: %w", err)
		}
	}
	e.escStore = escalation.NewStore(db)
	e.Webhooks = escalation.NewWebhooks(e.escStore, e.Accounts, c, escalation.WebhookOptions{AllowPrivate: cfg.WebhookAllowPrivate, Secrets: e.Secrets})
	e.IncidentStore = tickets.NewStore(db)
	e.Escalations = escalation.NewEscalations(e.escStore, e.IncidentStore)
	e.Queue = workers.NewTimerQueue(e.Redis, e.IncidentStore, c, log)
	e.Registry = prometheus.NewRegistry()
	e.Metrics = metrics.New(e.Registry)
	e.Incidents = tickets.NewService(tickets.Deps{Store: e.IncidentStore, Entitler: entitlementCheck{svc: e.Entitlements}, Planner: e.Catalog,
		Scheduler: e.Queue, Escalator: escalation.NewLadder(e.Accounts, e.Outbox), Teller: escalation.NewTeller(e.Accounts, e.Mailer), Credits: entitlement.NewLedger(db),
		Observer: e.Metrics, Users: e.Accounts, Leads: ents, Clock: c, Log: log})
	e.MailQueue = workers.NewMailQueue(e.Redis)
	e.openMail(nil)
	e.Reports = report.New(report.NewStore(db))
	e.Replays = replay.NewService(replay.NewStore(db), e.IncidentStore, e.Catalog, c, log)
	e.Registry.MustRegister(inbound.NewCollector(inbound.NewStore(db)), tickets.NewTimerCollector(e.IncidentStore, c), escalation.NewOutboxCollector(e.escStore, c))
	return e, nil
}

// Close releases the connections.
func (e *Engine) Close() error {
	var errs []error
	if sqlDB, err := e.DB.DB(); err == nil {
		errs = append(errs, sqlDB.Close())
	}
	errs = append(errs, e.rdb.Close(), e.Queue.Close(), e.MailQueue.Close())
	return errors.Join(errs...)
}

// Migrate applies pending migrations.
func (e *Engine) Migrate(ctx context.Context) error {
	sqlDB, err := e.DB.DB()
	if err != nil {
		return err
	}
	if err := migrations.Up(ctx, sqlDB, e.Log); err != nil {
		return err
	}
	return e.Catalog.EnsureDefaults(ctx)
}

func (e *Engine) readiness() map[string]func(context.Context) error {
	return map[string]func(context.Context) error{
		"postgres": func(ctx context.Context) error {
			sqlDB, err := e.DB.DB()
			if err != nil {
				return err
			}
			return sqlDB.PingContext(ctx)
		},
		"redis": func(ctx context.Context) error { return e.rdb.Ping(ctx).Err() },
	}
}

// Serve runs the HTTP API until ctx ends, then finishes in-flight requests (up to the shutdown
// timeout). onListen, if set, is told the bound address (useful with LISTEN_ADDR=:0).
func (e *Engine) Serve(ctx context.Context, onListen func(net.Addr)) error {
	if e.Cfg.AdminToken != "" {
		_, err := e.Accounts.BootstrapAdmin(ctx, e.Cfg.AdminToken)
		if apperr.Is(err, "user_deactivated") || apperr.Is(err, "token_revoked") {
			// Deactivation and revocation stick, restarts included; the API serves the other users.
			e.Log.Warn("SUPPORT_ADMIN_TOKEN not honoured", "error", err.Error())
		} else if err != nil {
			return fmt.Errorf("bootstrap admin: %w", err)
		}
	}
	reg := e.Registry
	qc := workers.NewQueueCollector(e.Redis)
	defer qc.Close()
	reg.MustRegister(qc)
	defer reg.Unregister(qc)
	ln, err := net.Listen("tcp", e.Cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", e.Cfg.ListenAddr, err)
	}
	public := e.Cfg.PublicURL
	if public == "" {
		public = "http://" + ln.Addr().String()
	}
	pages, err := web.New(web.Deps{Accounts: e.Accounts, Incidents: e.Incidents, Entitlements: e.Entitlements, Reports: e.Reports,
		Mailer: e.Mailer, Clock: e.Clock, Log: e.Log, PublicURL: public, Zone: e.Cfg.TimeZone,
		Catalog: e.Catalog, Escalations: e.Escalations, Presence: web.NewPresence(web.NewPresenceStore(e.DB), e.Accounts), Files: e.Mail,
		Sessions: accounts.SessionPolicy{Idle: e.Cfg.SessionIdle, Absolute: e.Cfg.SessionMaxAge},
		Admin:    web.AdminDeps{Catalog: e.Catalog, Webhooks: e.Webhooks, Mail: e.Mail},
		OIDC: web.OIDCConfig{Issuer: e.Cfg.OIDC.Issuer, ClientID: e.Cfg.OIDC.ClientID, ClientSecret: e.Cfg.OIDC.ClientSecret,
			RedirectURL: e.Cfg.OIDC.RedirectURL}})
	if err != nil {
		ln.Close()
		return err
	}
	// The pages answer a browser's form whose body is over the limit (the API's guard meets it
	// before any page runs).
	srv := api.New(api.Deps{Accounts: e.Accounts, Incidents: e.Incidents, Entitlements: e.Entitlements,
		Inbox: escalation.NewInbox(e.escStore), Catalog: e.Catalog, Replays: e.Replays, Reports: e.Reports, Clock: e.Clock, Escalations: e.Escalations,
		Webhooks: e.Webhooks, Followers: escalation.NewFollowers(e.escStore, e.Accounts, e.Clock), Ready: e.readiness(), Mail: e.Mail,
		Registry: reg, Log: e.Log, BodyLimit: e.Cfg.BodyLimit, TooLargePage: pages.TooLargePage})
	pages.Register(srv.App())
	e.Log.Info("api listening", "addr", ln.Addr().String())
	if onListen != nil {
		onListen(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), e.Cfg.ShutdownTimeout)
	defer cancel()
	e.Log.Info("api shutting down")
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-errc
}

// Work runs the asynq workers and scheduler until ctx ends. With SECRET_KEY set it first seals
// the webhook secrets stored before the key was configured.
func (e *Engine) Work(ctx context.Context) error {
	if n, err := e.Webhooks.SealSecrets(ctx); err != nil {
		e.Log.Warn("sealing webhook secrets", "error", err)
	} else if n > 0 {
		e.Log.Info("webhook secrets sealed with SECRET_KEY", "count", n)
	}
	if err := e.PrepareMail(ctx); err != nil {
		return err
	}
	if e.Cfg.MetricsAddr != "" {
		stop, err := e.serveMetrics()
		if err != nil {
			return err
		}
		defer stop()
	}
	e.Metrics.ReconcileInterval(e.Registry, e.Cfg.ReconcileInterval)
	return workers.Run(ctx, e.Redis, workers.Config{Concurrency: e.Cfg.Concurrency, ShutdownTimeout: e.Cfg.ShutdownTimeout, ReminderInterval: e.Cfg.ReminderInterval,
		ReconcileInterval: e.Cfg.ReconcileInterval, ForwardInterval: e.Cfg.ForwardInterval, Mail: e.mailWorkerConfig()},
		workers.Deps{Clock: e.Clock, Log: e.Log, Reminders: entitlement.NewReminders(entitlement.NewStore(e.DB), e.Accounts, e.Outbox, e.Log),
			Incidents: e.Incidents, Timers: e.IncidentStore, Keys: e.IncidentStore, Queue: e.Queue, Mail: e.Mail, MailQueue: e.MailQueue,
			Metrics: e.Metrics, Deliveries: workers.NewDeliveryHandlers(escalation.NewDeliverer(e.escStore, e.Accounts, e.Mailer, e.Clock, e.Log,
				escalation.DeliveryConfig{AllowPrivate: e.Cfg.WebhookAllowPrivate, Secrets: e.Secrets, Undeliverable: e.Mail.IsUndeliverable, Signer: e.mailSigner,
					Failed: e.Metrics}), e.Clock, e.Log)})
}

// MigrateDown rolls back the newest migration.
func (e *Engine) MigrateDown(ctx context.Context) error {
	sqlDB, err := e.DB.DB()
	if err != nil {
		return err
	}
	return migrations.Down(ctx, sqlDB)
}

// MigrationStatus writes the state of every migration.
func (e *Engine) MigrationStatus(ctx context.Context, w io.Writer) error {
	sqlDB, err := e.DB.DB()
	if err != nil {
		return err
	}
	return migrations.Status(ctx, sqlDB, w)
}

// serveMetrics serves the registry at /metrics on METRICS_ADDR for `supportd work`, which has
// no API listener: what its workers decided is counted in this process. It returns the stop.
func (e *Engine) serveMetrics() (func(), error) {
	ln, err := net.Listen("tcp", e.Cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen METRICS_ADDR %s: %w", e.Cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(e.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	e.Log.Info("metrics listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

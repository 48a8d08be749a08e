// Package workers runs the engine's background work on asynq over Redis: task types and their
// handlers, the periodic scheduler, and queue metrics. PostgreSQL holds the truth; Redis only
// carries the deliveries, so every handler reloads state and decides in a transaction.
package workers

import (
	"context"
	"errors"

	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Queue names. Critical carries SLA deadlines; default everything else.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
)

// Queues lists every queue with its priority.
var Queues = map[string]int{QueueCritical: 6, QueueDefault: 3}

// Config tunes the worker process.
type Config struct {
	Concurrency     int
	ShutdownTimeout time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered (default 24 h).
	IdempotencyTTL time.Duration
	// ReminderInterval is how often due renewal reminders are looked for (default 1 min).
	ReminderInterval time.Duration
	// ReconcileInterval bounds the extra delay of a deadline after Redis lost its data or a
	// worker died mid-task (default 5 s; see Reconciler).
	ReconcileInterval time.Duration
	// NotifySweepInterval is how often pending e-mail and webhook deliveries (retries, lost
	// fast-path tasks) are swept (default 5 s).
	NotifySweepInterval time.Duration
	// ForwardInterval is asynq's check for scheduled tasks that became due (default 100 ms):
	// the main term of a deadline's lateness.
	ForwardInterval time.Duration
	// Mail is the e-mail channel's settings (used when Deps.Mail is set).
	Mail MailConfig
}

// Defaults of Config's zero values. They are the one set of defaults: internal/app's environment
// variables (WORKER_CONCURRENCY, SHUTDOWN_TIMEOUT, REMINDER_INTERVAL, RECONCILE_INTERVAL,
// FORWARD_INTERVAL) take theirs from here.
const (
	DefaultConcurrency         = 20
	DefaultShutdownTimeout     = 20 * time.Second
	DefaultIdempotencyTTL      = 24 * time.Hour
	DefaultReminderInterval    = time.Minute
	DefaultReconcileInterval   = 5 * time.Second
	DefaultNotifySweepInterval = 5 * time.Second
	DefaultForwardInterval     = 100 * time.Millisecond
)

func (cfg Config) withDefaults() Config {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if cfg.ReminderInterval <= 0 {
		cfg.ReminderInterval = DefaultReminderInterval
	}
	if cfg.ReconcileInterval <= 0 {
		cfg.ReconcileInterval = DefaultReconcileInterval
	}
	if cfg.NotifySweepInterval <= 0 {
		cfg.NotifySweepInterval = DefaultNotifySweepInterval
	}
	if cfg.ForwardInterval <= 0 {
		cfg.ForwardInterval = DefaultForwardInterval
	}
	return cfg
}

// AsynqConfig is the asynq server configuration of a worker process (Config's zero values take
// their defaults). cmd/timerbench uses it to measure asynq alone with the same settings.
func AsynqConfig(cfg Config, log *slog.Logger) asynq.Config {
	cfg = cfg.withDefaults()
	return asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          Queues,
		ShutdownTimeout: cfg.ShutdownTimeout,
		Logger:          asynqLogger{log},
		// Deadlines: look for due scheduled tasks every ForwardInterval and for new pending
		// ones every 50 ms when idle, instead of asynq's 5 s and 1 s.
		DelayedTaskCheckInterval: cfg.ForwardInterval,
		TaskCheckInterval:        50 * time.Millisecond,
		RetryDelayFunc:           retryDelay,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			log.Error("task failed", "type", t.Type(), "error", err)
		}),
	}
}

// Run serves tasks and runs the periodic scheduler until ctx ends, then lets in-flight tasks
// finish (up to ShutdownTimeout) before returning. Errors: d.Clock or d.Log nil (the composition
// root injects both; neither is defaulted), or the asynq server failing to start.
func Run(ctx context.Context, redis asynq.RedisConnOpt, cfg Config, d Deps) error {
	cfg = cfg.withDefaults()
	if d.Clock == nil {
		return errors.New("workers.Run: Deps.Clock is required")
	}
	if d.Log == nil {
		return errors.New("workers.Run: Deps.Log is required")
	}
	srv := asynq.NewServer(redis, AsynqConfig(cfg, d.Log))
	mux := asynq.NewServeMux()
	h := &handlers{deps: d, cfg: cfg, firer: newFirer(d)}
	h.register(mux)
	// The firer outlives the server: handlers still running at shutdown wait on it.
	fctx, stopFirer := context.WithCancel(context.Background())
	defer stopFirer()
	for i := 0; i < fireLoops; i++ {
		go h.firer.run(fctx)
	}
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("start asynq server: %w", err)
	}
	sched := asynq.NewScheduler(redis, &asynq.SchedulerOpts{Location: time.UTC, Logger: asynqLogger{d.Log}})
	if err := registerPeriodic(sched, cfg); err != nil {
		srv.Shutdown()
		return err
	}
	if d.Deliveries != nil {
		if _, err := sched.Register("@every "+cfg.NotifySweepInterval.String(), NewSweepTask(), asynq.Unique(cfg.NotifySweepInterval)); err != nil {
			srv.Shutdown()
			return fmt.Errorf("register notification sweep: %w", err)
		}
	}
	stopMail, err := startMail(ctx, sched, cfg.Mail, d)
	if err != nil {
		srv.Shutdown()
		return err
	}
	defer stopMail()
	if err := sched.Start(); err != nil {
		srv.Shutdown()
		return fmt.Errorf("start scheduler: %w", err)
	}
	rctx, stopReconcile := context.WithCancel(context.Background())
	reconciled := make(chan struct{})
	if d.Timers != nil {
		rdb := redisClient(redis)
		rc := &Reconciler{Interval: cfg.ReconcileInterval, Store: d.Timers, Queue: d.Queue, Clock: d.Clock, Log: d.Log, Redis: rdb, Metrics: d.Metrics}
		go func() { defer close(reconciled); defer rdb.Close(); rc.Run(rctx) }()
	} else {
		close(reconciled)
	}
	d.Log.Info("workers running", "concurrency", cfg.Concurrency, "reconcile_interval", cfg.ReconcileInterval)
	<-ctx.Done()
	stopReconcile()
	<-reconciled
	sched.Shutdown()
	srv.Shutdown()
	d.Log.Info("workers stopped")
	return nil
}

type handlers struct {
	deps  Deps
	cfg   Config
	firer *firer
}

func (h *handlers) register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypePurgeIdempotencyKeys, h.HandlePurgeIdempotencyKeys)
	mux.HandleFunc(TypeRenewalReminders, h.HandleRenewalReminders)
	if h.deps.Incidents != nil {
		mux.HandleFunc(TypeDeadline, h.HandleDeadline)
	}
	if h.deps.Deliveries != nil {
		h.deps.Deliveries.Register(mux)
	}
	if h.deps.Mail != nil && h.deps.MailQueue != nil {
		mh := &mailHandlers{mail: h.deps.Mail, queue: h.deps.MailQueue, age: h.cfg.Mail.withDefaults().SweepAge}
		mux.HandleFunc(TypeMailProcess, mh.HandleMailProcess)
		mux.HandleFunc(TypeMailSweep, mh.HandleMailSweep)
	}
}

// registerPeriodic adds the periodic jobs. Every worker process runs a scheduler; asynq.Unique
// keeps two schedulers from queueing the same job twice in one period, and each job is safe to
// run twice anyway, because its effects are keyed in PostgreSQL.
func registerPeriodic(s *asynq.Scheduler, cfg Config) error {
	if _, err := s.Register("@every 1h", NewPurgeIdempotencyKeysTask(), asynq.Queue(QueueDefault),
		asynq.Unique(55*time.Minute)); err != nil {
		return fmt.Errorf("register periodic purge: %w", err)
	}
	if _, err := s.Register("@every "+cfg.ReminderInterval.String(), NewRenewalRemindersTask(), asynq.Queue(QueueDefault),
		asynq.Unique(cfg.ReminderInterval)); err != nil {
		return fmt.Errorf("register renewal reminders: %w", err)
	}
	return nil
}

// redisClient opens a plain Redis client on asynq's connection settings, for the reconciler's
// marker key.
func redisClient(opt asynq.RedisConnOpt) redis.UniversalClient {
	return opt.MakeRedisClient().(redis.UniversalClient)
}

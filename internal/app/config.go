// Package app assembles the engine from configuration: it opens PostgreSQL and Redis, builds the
// domain services, and runs the HTTP API and the workers. cmd/supportd is a thin shell around it.
package app

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/secretbox"
	"github.com/supportd/supportd/tickets/inbound"
	"github.com/supportd/supportd/workers"
)

// Config is every setting of supportd, read from the environment. README.md documents the table
// in Vars; keep the two in step (a test checks the names).
type Config struct {
	DatabaseURL       string
	RedisURL          string
	ListenAddr        string
	AdminToken        string
	LogLevel          slog.Level
	LogFormat         string
	DBMaxConns        int
	Concurrency       int
	BodyLimit         int
	ShutdownTimeout   time.Duration
	ReminderInterval  time.Duration
	ReconcileInterval time.Duration
	ForwardInterval   time.Duration
	SMTPURL           string
	DataDir           string
	// MetricsAddr is where `supportd work` serves /metrics; empty: no listener.
	MetricsAddr string
	// WebhookAllowPrivate lets webhooks target internal addresses (on-premises receivers).
	WebhookAllowPrivate bool
	// SecretKey seals webhook secrets at rest (32 bytes); nil keeps them as given.
	SecretKey     []byte
	PublicURL     string
	SessionIdle   time.Duration
	SessionMaxAge time.Duration
	TimeZone      *time.Location
	Mail          MailConfig
	// MailTokenKey signs the incident tokens of outgoing mail; nil: a key generated once and
	// kept in PostgreSQL.
	MailTokenKey []byte
	OIDC         OIDCConfig
}

// Var is one environment variable with its default and meaning.
type Var struct {
	Name, Default, Help string
}

// Vars lists every environment variable supportd reads.
var Vars = []Var{
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/supportd?sslmode=disable", "PostgreSQL connection URL. `supportd dev` starts a private server when unset."},
	{"REDIS_URL", "redis://127.0.0.1:6379/0", "Redis connection URL for asynq. `supportd dev` starts a private server when unset."},
	{"LISTEN_ADDR", "127.0.0.1:8080", "HTTP listen address (`:0` picks a free port, printed in the log)."},
	{"METRICS_ADDR", "", "Where `supportd work` serves Prometheus metrics at `/metrics` (e.g. 127.0.0.1:9464; `:0` picks a free port, printed in the log); unset: no listener. `supportd serve` serves them on LISTEN_ADDR."},
	{"SUPPORT_ADMIN_TOKEN", "", "When set, an admin user owning this bearer token exists after start."},
	{"LOG_LEVEL", "info", "debug, info, warn or error."},
	{"LOG_FORMAT", "json", "json or text."},
	{"DB_MAX_CONNS", "20", "Maximum open PostgreSQL connections per process."},
	{"WORKER_CONCURRENCY", strconv.Itoa(workers.DefaultConcurrency), "Tasks a worker process runs at once."},
	{"BODY_LIMIT_BYTES", "1048576", "Largest accepted request body; larger is 413."},
	{"REMINDER_INTERVAL", shortDuration(workers.DefaultReminderInterval), "How often workers look for due renewal reminders."},
	{"RECONCILE_INTERVAL", shortDuration(workers.DefaultReconcileInterval), "Worst-case extra delay of a deadline after Redis lost its data or a worker died mid-task."},
	{"FORWARD_INTERVAL", shortDuration(workers.DefaultForwardInterval), "How often workers move due scheduled deadlines to the run queue (the main term of lateness)."},
	{"SMTP_URL", "", "`smtp://[user:pass@]host:port?from=addr` for e-mail notifications; unset: in-app and webhooks only."},
	{"SHUTDOWN_TIMEOUT", shortDuration(workers.DefaultShutdownTimeout), "How long shutdown waits for in-flight requests and tasks."},
	{"DATA_DIR", ".data", "Where `supportd dev` keeps its private PostgreSQL and Redis."},
	{"WEBHOOK_ALLOW_PRIVATE", "false", "`true` lets webhooks target loopback, private, link-local and other internal addresses (on-premises receivers); otherwise they are refused at creation and at dial time."},
	{"SECRET_KEY", "", "32 bytes (64 hex digits or base64) sealing secrets at rest with AES-256-GCM: webhook signing secrets and mailbox passwords; unset: stored as given."},
	{"PUBLIC_URL", "", "Base URL of the web interface in e-mailed sign-in links (e.g. `https://support.example.com`); unset: `http://` + LISTEN_ADDR."},
	{"SESSION_IDLE_TIMEOUT", "2h", "A web session unused this long ends."},
	{"SESSION_MAX_AGE", "168h", "A web session ends this long after sign-in, however busy."},
	{"DEFAULT_TIME_ZONE", "Asia/Tokyo", "Time zone of web pages for users who have not chosen one."},
	{"MAIL_DOMAIN", "", "Domain of our Message-IDs; default: the domain of SMTP_URL's from address."},
	{"LMTP_ADDR", "", "Where `supportd work` accepts mail over LMTP from a mail server (e.g. 127.0.0.1:2424); unset: no listener."},
	{"MAIL_POLL_INTERVAL", shortDuration(workers.DefaultMailPollInterval), "How often a mailbox without IDLE is read; also the longest IDLE and the retry delay of a failing mailbox."},
	{"MAIL_REOPEN_DAYS", strconv.Itoa(int(inbound.DefaultReopenWithin / (24 * time.Hour))), "A mail reply reopens an incident resolved fewer days ago; later it opens a new incident linked to it. 0: never reopen (every reply to a resolved incident opens a new, linked one)."},
	{"MAIL_MAX_BYTES", strconv.Itoa(mailmsg.DefaultLimits.MaxMessageBytes), "Largest incoming message; a larger one is refused with a polite answer."},
	{"MAIL_ATTACHMENT_MAX_BYTES", strconv.FormatInt(mailmsg.DefaultLimits.MaxAttachmentBytes, 10), "Largest attachment kept (from mail or uploaded)."},
	{"MAIL_AUTO_REPLY_CAP", strconv.Itoa(inbound.DefaultAutoReplyCap), "Automatic mails one address gets per day at most."},
	{"MAIL_TOKEN_KEY", "", "At least 16 bytes (hex or base64) signing the incident tokens in the Message-IDs and Reply-To addresses of our mail (checked again when a reply comes in); unset: a key generated once and kept in PostgreSQL."},
}

// FromEnv reads the configuration through getenv (os.Getenv in production, a map in tests).
// Errors name the variable.
func FromEnv(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	c := Config{
		DatabaseURL: get("DATABASE_URL"),
		RedisURL:    get("REDIS_URL"),
		ListenAddr:  get("LISTEN_ADDR"),
		AdminToken:  get("SUPPORT_ADMIN_TOKEN"),
		LogFormat:   get("LOG_FORMAT"),
		DataDir:     get("DATA_DIR"),
		SMTPURL:     get("SMTP_URL"),
		PublicURL:   strings.TrimRight(get("PUBLIC_URL"), "/"),
		MetricsAddr: get("METRICS_ADDR"),
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL: %w", err)
	}
	var err error
	ints := []struct {
		name string
		dst  *int
	}{{"DB_MAX_CONNS", &c.DBMaxConns}, {"WORKER_CONCURRENCY", &c.Concurrency}, {"BODY_LIMIT_BYTES", &c.BodyLimit}}
	for _, i := range ints {
		if *i.dst, err = strconv.Atoi(get(i.name)); err != nil || *i.dst <= 0 {
			return c, fmt.Errorf("%s: want a positive integer, got %q", i.name, get(i.name))
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"SHUTDOWN_TIMEOUT", &c.ShutdownTimeout}, {"REMINDER_INTERVAL", &c.ReminderInterval},
		{"RECONCILE_INTERVAL", &c.ReconcileInterval}, {"FORWARD_INTERVAL", &c.ForwardInterval},
		{"SESSION_IDLE_TIMEOUT", &c.SessionIdle}, {"SESSION_MAX_AGE", &c.SessionMaxAge}} {
		if *d.dst, err = time.ParseDuration(get(d.name)); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("%s: want a positive duration like 20s, got %q", d.name, get(d.name))
		}
	}
	switch v := strings.ToLower(get("WEBHOOK_ALLOW_PRIVATE")); v {
	case "true", "1", "yes":
		c.WebhookAllowPrivate = true
	case "false", "0", "no":
	default:
		return c, fmt.Errorf("WEBHOOK_ALLOW_PRIVATE: want true or false, got %q", v)
	}
	if k := get("SECRET_KEY"); k != "" {
		if c.SecretKey, err = secretbox.ParseKey(k); err != nil {
			return c, fmt.Errorf("SECRET_KEY: %w", err)
		}
	}
	if c.TimeZone, err = time.LoadLocation(get("DEFAULT_TIME_ZONE")); err != nil {
		return c, fmt.Errorf("DEFAULT_TIME_ZONE: %w", err)
	}
	if k := get("MAIL_TOKEN_KEY"); k != "" {
		if c.MailTokenKey, err = parseMailKey(k); err != nil {
			return c, fmt.Errorf("MAIL_TOKEN_KEY: %w", err)
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return c, fmt.Errorf("LOG_FORMAT: want json or text, got %q", c.LogFormat)
	}
	if len(c.AdminToken) > 0 && len(c.AdminToken) < 16 {
		return c, fmt.Errorf("SUPPORT_ADMIN_TOKEN: use at least 16 characters")
	}
	if c.Mail, err = mailFromEnv(get); err != nil {
		return c, err
	}
	if c.OIDC, err = oidcFromEnv(get); err != nil {
		return c, err
	}
	return c, nil
}

// parseMailKey reads a key given as hex or standard base64, of at least 16 bytes.
func parseMailKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) >= 16 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) >= 16 {
		return b, nil
	}
	return nil, fmt.Errorf("want at least 16 bytes as hex or base64")
}

// shortDuration writes d as the README and a person would ("1m", not "1m0s").
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

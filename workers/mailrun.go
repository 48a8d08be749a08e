package workers

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/hibiken/asynq"
)

// MailConfig tunes the e-mail channel of a worker process.
type MailConfig struct {
	// PollInterval is how often a mailbox without IDLE is read, the longest IDLE, and the
	// retry delay of a failing mailbox (default 30 s).
	PollInterval time.Duration
	// SweepInterval is how often stored-but-unprocessed messages are queued again (default 30 s).
	SweepInterval time.Duration
	// LMTPAddr, when set, is where the LMTP listener accepts mail (e.g. 127.0.0.1:2424).
	LMTPAddr string
	// MaxMessageBytes bounds what the LMTP listener takes.
	MaxMessageBytes int
	// SweepAge is how long a stored message waits for its task before the sweep queues it
	// again (default 30 s).
	SweepAge time.Duration
}

// Defaults of MailConfig's zero values; internal/app's MAIL_POLL_INTERVAL takes its default
// from DefaultMailPollInterval.
const (
	DefaultMailPollInterval  = 30 * time.Second
	DefaultMailSweepInterval = 30 * time.Second
	DefaultMailSweepAge      = 30 * time.Second
)

func (cfg MailConfig) withDefaults() MailConfig {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultMailPollInterval
	}
	if cfg.SweepInterval <= 0 {
		cfg.SweepInterval = DefaultMailSweepInterval
	}
	if cfg.SweepAge <= 0 {
		cfg.SweepAge = DefaultMailSweepAge
	}
	return cfg
}

// startMail registers the sweep and starts the IMAP reader and the LMTP listener; the returned
// function stops them.
func startMail(ctx context.Context, sched *asynq.Scheduler, cfg MailConfig, d Deps) (func(), error) {
	if d.Mail == nil || d.MailQueue == nil {
		return func() {}, nil
	}
	cfg = cfg.withDefaults()
	if _, err := sched.Register("@every "+cfg.SweepInterval.String(), NewMailSweepTask(), asynq.Unique(cfg.SweepInterval)); err != nil {
		return nil, fmt.Errorf("register mail sweep: %w", err)
	}
	mctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var lmtp *LMTPServer
	if cfg.LMTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.LMTPAddr)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("LMTP_ADDR %s: %w", cfg.LMTPAddr, err)
		}
		lmtp = NewLMTPServer(d.Mail, cfg.MaxMessageBytes, d.Log)
		d.Log.Info("lmtp listening", "lmtp_addr", ln.Addr().String())
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := lmtp.Serve(ln); err != nil {
				d.Log.Error("lmtp listener stopped", "error", err)
			}
		}()
	}
	reader := &MailReader{Mail: d.Mail, Interval: cfg.PollInterval, Log: d.Log}
	wg.Add(1)
	go func() { defer wg.Done(); reader.Run(mctx) }()
	return func() {
		cancel()
		if lmtp != nil {
			_ = lmtp.Close()
		}
		wg.Wait()
	}, nil
}

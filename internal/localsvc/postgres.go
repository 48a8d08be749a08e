package localsvc

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// PostgresOptions tunes a server started by StartPostgresWith.
type PostgresOptions struct {
	// Port to listen on; 0 picks a free one. A fixed port keeps the DSN of a kept data directory
	// the same from one run to the next.
	Port int
	// NoSync turns off fsync, full-page writes and synchronous commit. A crash may then lose or
	// corrupt data, which is fine for a throwaway test database and makes it markedly faster.
	NoSync bool
}

// Postgres is a running PostgreSQL server started by this package.
type Postgres struct {
	// Port is the TCP port on 127.0.0.1 the server listens on.
	Port int
	// DSN connects to the "postgres" database as the superuser "postgres" (trust authentication).
	DSN string
	// Dir is the absolute path of the data directory.
	Dir string

	mu   sync.Mutex
	bin  string
	as   *account
	log  io.Writer
	opts PostgresOptions
	proc *process
}

// Stopping: SIGINT is PostgreSQL's fast shutdown (disconnect clients, checkpoint, exit). SIGTERM,
// the usual choice, waits for every client to leave and may never finish.
const (
	pgStopSignal  = syscall.SIGINT
	pgStopTimeout = 30 * time.Second
	startTimeout  = time.Minute
	startAttempts = 3
)

// StartPostgres starts PostgreSQL on the data directory dir, creating the cluster first if dir
// holds none, with default options. See StartPostgresWith.
func StartPostgres(ctx context.Context, dir string, log io.Writer) (*Postgres, error) {
	return StartPostgresWith(ctx, dir, log, PostgresOptions{})
}

// StartPostgresWith starts PostgreSQL on the data directory dir and returns once it accepts
// connections. If dir has no PG_VERSION it is initialised first (trust authentication, superuser
// postgres, UTF8, C locale); a postmaster.pid left by a crashed server is removed. The server's
// output goes to log, which may be nil.
//
// If ctx has no deadline, startup is given one minute. Errors wrap ErrNotInstalled when the
// binaries are missing; other errors include the server's last output.
func StartPostgresWith(ctx context.Context, dir string, log io.Writer, opts PostgresOptions) (*Postgres, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localsvc: %w", err)
	}
	initdb, bin, err := postgresBinaries()
	if err != nil {
		return nil, err
	}
	as, err := postgresAccount()
	if err != nil {
		return nil, err
	}
	if err := prepareDataDir(dir, as); err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); os.IsNotExist(err) {
		if err := runInitdb(ctx, initdb, dir, as, log, opts.NoSync); err != nil {
			return nil, err
		}
	}
	if err := clearStalePidFile(dir); err != nil {
		return nil, err
	}
	p := &Postgres{Dir: dir, bin: bin, as: as, log: log, opts: opts}
	if err := p.start(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

func runInitdb(ctx context.Context, bin, dir string, as *account, log io.Writer, noSync bool) error {
	args := []string{"-D", dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-instructions"}
	if noSync {
		args = append(args, "--no-sync")
	}
	proc, err := startProcess(procSpec{name: "initdb", path: bin, args: args, dir: dir, as: as, log: log, stopSig: syscall.SIGTERM})
	if err != nil {
		return err
	}
	select {
	case <-proc.done:
	case <-ctx.Done():
		_ = proc.stop(5 * time.Second)
		return fmt.Errorf("localsvc: initdb %s: %w", dir, ctx.Err())
	}
	if proc.err != nil {
		return proc.failure()
	}
	return nil
}

// start runs postgres until it accepts connections, on p.opts.Port or else a free port, trying
// other free ports when one was taken between FreePort and the server's bind.
func (p *Postgres) start(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		port := p.opts.Port
		if port == 0 {
			var err error
			if port, err = FreePort(); err != nil {
				return err
			}
		}
		proc, err := startProcess(procSpec{
			name: "postgres", path: p.bin, args: p.args(port), dir: p.Dir, as: p.as, log: p.log, stopSig: pgStopSignal,
		})
		if err != nil {
			return err
		}
		dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		err = waitReady(ctx, proc, func(ctx context.Context) error { return pingPostgres(ctx, dsn) })
		if err == nil {
			p.Port, p.DSN, p.proc = port, dsn, proc
			return nil
		}
		_ = proc.stop(pgStopTimeout)
		if p.opts.Port == 0 && attempt < startAttempts && strings.Contains(proc.out.String(), "already in use") {
			continue
		}
		return err
	}
}

func (p *Postgres) args(port int) []string {
	args := []string{"-D", p.Dir, "-p", fmt.Sprint(port), "-c", "listen_addresses=127.0.0.1"}
	// A Unix socket beside the data lets `psql -h <dir>` in; socket paths are limited to 107
	// bytes, and past that TCP alone will do.
	sock := ""
	if len(p.Dir)+len("/.s.PGSQL.65535.lock") < 100 {
		sock = p.Dir
	}
	args = append(args, "-k", sock)
	if p.opts.NoSync {
		args = append(args, "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off")
	}
	return args
}

// Stop shuts the server down (fast shutdown) and waits for it, killing it after 30 seconds.
// It returns an error if the server had died on its own or had to be killed. Calling it again
// does nothing.
func (p *Postgres) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.proc.stop(pgStopTimeout)
}

// Restart stops the server and starts it again on the same directory and port, as a crash-free
// restart would; tests use it to check that clients reconnect.
func (p *Postgres) Restart(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.proc.stop(pgStopTimeout); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	opts := p.opts
	p.opts.Port = p.Port
	defer func() { p.opts = opts }()
	return p.start(ctx)
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, startTimeout)
}

// waitReady polls ready until it succeeds, the process dies or ctx ends.
func waitReady(ctx context.Context, proc *process, ready func(context.Context) error) error {
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, time.Second)
		err := ready(attemptCtx)
		cancel()
		if err == nil {
			return nil
		}
		if proc.exited() {
			return proc.failure()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("localsvc: %s not ready: %w (last error: %v)\n%s", proc.name, ctx.Err(), err, proc.out)
		case <-proc.done:
			return proc.failure()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

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

// RedisOptions tunes a server started by StartRedisWith.
type RedisOptions struct {
	// Port to listen on; 0 picks a free one.
	Port int
	// Persist keeps the data in dir across restarts with an append-only file, as `supportd dev`
	// wants; without it the server starts empty every time.
	Persist bool
}

// Redis is a running redis-server started by this package.
type Redis struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// Port is the TCP port of Addr.
	Port int
	// Dir is the absolute path of the server's working directory.
	Dir string

	mu   sync.Mutex
	bin  string
	log  io.Writer
	opts RedisOptions
	proc *process
}

// SIGTERM makes redis-server shut down cleanly, flushing the append-only file if there is one.
const (
	redisStopSignal  = syscall.SIGTERM
	redisStopTimeout = 15 * time.Second
)

// StartRedis starts redis-server in dir without persistence. See StartRedisWith.
func StartRedis(ctx context.Context, dir string, log io.Writer) (*Redis, error) {
	return StartRedisWith(ctx, dir, log, RedisOptions{})
}

// StartRedisWith starts redis-server on 127.0.0.1 with dir as its working directory (created if
// missing) and returns once it answers PING. The server's output goes to log, which may be nil.
//
// If ctx has no deadline, startup is given one minute. Errors wrap ErrNotInstalled when
// redis-server is missing; other errors include the server's last output.
func StartRedisWith(ctx context.Context, dir string, log io.Writer, opts RedisOptions) (*Redis, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localsvc: %w", err)
	}
	bin, err := redisBinary()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localsvc: %w", err)
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	r := &Redis{Dir: dir, bin: bin, log: log, opts: opts}
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Redis) start(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		port := r.opts.Port
		if port == 0 {
			var err error
			if port, err = FreePort(); err != nil {
				return err
			}
		}
		proc, err := startProcess(procSpec{
			name: "redis-server", path: r.bin, args: r.args(port), dir: r.Dir, log: r.log, stopSig: redisStopSignal,
		})
		if err != nil {
			return err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		err = waitReady(ctx, proc, func(ctx context.Context) error { return pingRedis(ctx, addr) })
		if err == nil {
			r.Addr, r.Port, r.proc = addr, port, proc
			return nil
		}
		_ = proc.stop(redisStopTimeout)
		if r.opts.Port == 0 && attempt < startAttempts && strings.Contains(proc.out.String(), "already in use") {
			continue
		}
		return err
	}
}

func (r *Redis) args(port int) []string {
	appendonly := "no"
	if r.opts.Persist {
		appendonly = "yes"
	}
	return []string{
		"--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--dir", r.Dir,
		"--save", "", "--appendonly", appendonly, "--daemonize", "no", "--logfile", "",
	}
}

// Stop shuts the server down and waits for it, killing it after 15 seconds. It returns an error
// if the server had died on its own or had to be killed. Calling it again does nothing.
func (r *Redis) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.proc.stop(redisStopTimeout)
}

// Restart stops the server and starts it again in the same directory on the same port; without
// Persist it comes back empty. Tests use it to check that clients reconnect.
func (r *Redis) Restart(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.proc.stop(redisStopTimeout); err != nil {
		return err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	opts := r.opts
	r.opts.Port = r.Port
	defer func() { r.opts = opts }()
	return r.start(ctx)
}

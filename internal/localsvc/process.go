package localsvc

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// ErrNotInstalled is returned, wrapped, when a server's binaries cannot be found on the machine.
// Tests use it to skip rather than fail where a server cannot exist.
var ErrNotInstalled = errors.New("not installed")

// process is a server this package started, with the goroutine that reaps it.
type process struct {
	name    string
	cmd     *exec.Cmd
	stopSig syscall.Signal
	done    chan struct{} // closed once the process has exited
	err     error         // what Wait returned; read only after done is closed
	out     *tail

	stopOnce sync.Once
	stopErr  error
}

// procSpec says how to start a server.
type procSpec struct {
	name    string
	path    string
	args    []string
	dir     string   // working directory; must be reachable by the account
	as      *account // nil: the current user
	log     io.Writer
	stopSig syscall.Signal // asks the server to shut down cleanly; also sent if this process dies
}

// startProcess starts a server as its own process group, so that a Ctrl-C in a terminal reaches
// only the caller, who then stops its servers in an order that suits it (the app first, its
// databases last) instead of all of them at once.
func startProcess(s procSpec) (*process, error) {
	t := &tail{}
	var out io.Writer = t
	if s.log != nil {
		out = io.MultiWriter(s.log, t)
	}
	cmd := exec.Command(s.path, s.args...)
	cmd.Dir = s.dir
	cmd.Stdout = out
	cmd.Stderr = out
	// PostgreSQL backends inherit the output pipe; do not let one that outlives the postmaster
	// hold Wait forever.
	cmd.WaitDelay = 5 * time.Second
	attr, err := sysProcAttr(s.as, s.stopSig)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = attr

	var startErr error
	onSpawnerThread(func() { startErr = cmd.Start() })
	if startErr != nil {
		return nil, fmt.Errorf("localsvc: start %s: %w", s.name, startErr)
	}
	p := &process{name: s.name, cmd: cmd, stopSig: s.stopSig, done: make(chan struct{}), out: t}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// failure describes a process that ended on its own, with the last lines it wrote.
func (p *process) failure() error {
	return fmt.Errorf("localsvc: %s exited: %v\n%s", p.name, p.err, p.out)
}

// stop asks the process to shut down and waits for it; past timeout it kills the whole group.
// It returns an error if the process had already died on its own or had to be killed.
func (p *process) stop(timeout time.Duration) error {
	p.stopOnce.Do(func() {
		if p.exited() {
			if p.err != nil {
				p.stopErr = p.failure()
			}
			return
		}
		_ = p.cmd.Process.Signal(p.stopSig)
		select {
		case <-p.done:
		case <-time.After(timeout):
			killGroup(p.cmd.Process)
			<-p.done
			p.stopErr = fmt.Errorf("localsvc: %s did not stop within %s and was killed", p.name, timeout)
		}
	})
	return p.stopErr
}

// Linux sends the parent-death signal when the *thread* that forked the child exits, not when
// the process does. The Go runtime ends a thread when a goroutine locked to it returns, which any
// library may do, so children are forked from one goroutine that locks its thread and never
// returns: that thread lives exactly as long as the process.
var (
	spawnerOnce sync.Once
	spawnQueue  = make(chan func())
)

func onSpawnerThread(f func()) {
	spawnerOnce.Do(func() {
		go func() {
			runtime.LockOSThread() // never unlocked, on purpose
			for g := range spawnQueue {
				g()
			}
		}()
	})
	done := make(chan struct{})
	spawnQueue <- func() {
		defer close(done)
		f()
	}
	<-done
}

// ProcessAlive reports whether a process with this pid exists on this host. It is how leftovers
// of a crashed run (a postmaster.pid, a test database, a Redis lease) are recognised as such.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	return processAlive(pid)
}

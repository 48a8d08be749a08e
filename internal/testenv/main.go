package testenv

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
)

var (
	mainRunning atomic.Bool

	exitMu sync.Mutex
	atExit []func() error
)

// Main runs the package's tests, then drops the databases it created, releases its Redis lease,
// stops the servers it started and exits with the tests' status. Call it from TestMain.
func Main(m *testing.M) {
	mainRunning.Store(true)
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv: cleaning up:", err)
	}
	os.Exit(code)
}

// onExit registers f to run when Main ends, after what was registered later.
func onExit(f func() error) {
	exitMu.Lock()
	defer exitMu.Unlock()
	atExit = append(atExit, f)
}

func teardown() error {
	exitMu.Lock()
	fs := atExit
	atExit = nil
	exitMu.Unlock()
	var errs []error
	for i := len(fs) - 1; i >= 0; i-- {
		errs = append(errs, fs[i]())
	}
	return errors.Join(errs...)
}

// requireMain stops a test that would create process-wide resources nobody would remove.
func requireMain(tb testing.TB) {
	tb.Helper()
	if !mainRunning.Load() {
		tb.Fatal("testenv: this package has no `func TestMain(m *testing.M) { testenv.Main(m) }`, " +
			"without which its databases and servers would outlive the tests")
	}
}

// forcePrivate reports whether TESTENV_PRIVATE asks to ignore shared servers.
func forcePrivate() bool {
	switch os.Getenv("TESTENV_PRIVATE") {
	case "", "0", "false", "no":
		return false
	}
	return true
}

// scratch is this process's temporary directory for private servers, removed by Main last.
var scratch = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "testenv-")
	if err != nil {
		return "", err
	}
	// As root, PostgreSQL runs as the postgres user, which must be able to pass through.
	if err := os.Chmod(dir, 0o711); err != nil {
		return "", err
	}
	onExit(func() error { return os.RemoveAll(dir) })
	return dir, nil
})

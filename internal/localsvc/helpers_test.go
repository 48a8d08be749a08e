package localsvc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// tempDir is t.TempDir for servers that run as the postgres user: t.TempDir's parent is private
// to the current user, so as root the postgres user could not reach it. This one it can.
func tempDir(t *testing.T) string {
	t.Helper()
	dir := privateDir(t)
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	return dir
}

// privateDir is a temporary directory only its owner can enter.
func privateDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "localsvc-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// skipIfMissing skips a test whose server binaries are not installed.
func skipIfMissing(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrNotInstalled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// procStatus returns a field of /proc/<pid>/status ("Uid", "State"), or "" if there is none.
func procStatus(pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.Fields(v)[0]
		}
	}
	return ""
}

// gone reports whether pid has ended; a zombie that nobody reaps (PID 1 in some containers does
// not) counts as ended.
func gone(pid int) bool {
	return !ProcessAlive(pid) || procStatus(pid, "State") == "Z"
}

// deadPID returns the pid of a process that has just ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func isNotInstalled(err error) bool { return errors.Is(err, ErrNotInstalled) }

package localsvc

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clearStalePidFile removes the postmaster.pid a crashed server left in dir. PostgreSQL would
// otherwise refuse to start whenever the pid it names has been reused by another process, which
// after a reboot is likely.
func clearStalePidFile(dir string) error {
	path := filepath.Join(dir, "postmaster.pid")
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("localsvc: %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Scan()
	first := strings.TrimSpace(sc.Text())
	f.Close()
	pid, err := strconv.Atoi(first)
	if err == nil && postmasterAlive(pid) {
		return fmt.Errorf("localsvc: a PostgreSQL server (pid %d) is already running on %s; stop it first", pid, dir)
	}
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("localsvc: remove stale %s: %w", path, err)
	}
	return nil
}

// postmasterAlive reports whether pid is a running postgres. Where /proc says what the process
// is, a live process of another name is a reused pid, not a server.
func postmasterAlive(pid int) bool {
	if !ProcessAlive(pid) {
		return false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return true
	}
	return strings.TrimSpace(string(comm)) == "postgres"
}

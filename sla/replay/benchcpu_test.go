package replay_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supportd/supportd/migrations"
	"gorm.io/gorm"
)

// migrate brings the database dsn names up to date (a kept benchmark database).
func migrate(b *testing.B, dsn string) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := migrations.Up(context.Background(), db, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
}

// cpuMeter measures the CPU a run takes: this process's (getrusage) and that of the PostgreSQL
// backends connected to the benchmark's database, read from /proc when the server runs on this
// host (sampled while the run lasts, so a backend that closes mid-run still counts).
type cpuMeter struct {
	b          *testing.B
	dbName     string
	postmaster string // /proc/PID/task/PID/children of the local postmaster, or ""
}

func newCPUMeter(b *testing.B, db *gorm.DB) *cpuMeter {
	var (
		name string
		pid  int
	)
	if err := db.Raw("SELECT current_database(), pg_backend_pid()").Row().Scan(&name, &pid); err != nil {
		b.Fatal(err)
	}
	m := &cpuMeter{b: b, dbName: name, postmaster: findPostmaster(pid)}
	if m.postmaster == "" {
		fmt.Fprintln(os.Stderr, "PostgreSQL runs on another host: its CPU is not measured")
	}
	return m
}

// cpuRun is one measured run.
type cpuRun struct {
	m     *cpuMeter
	wall  time.Time
	self  time.Duration
	first map[int]time.Duration
	mu    sync.Mutex
	last  map[int]time.Duration
	done  chan struct{}
	wg    sync.WaitGroup
}

func (m *cpuMeter) start() *cpuRun {
	r := &cpuRun{m: m, wall: time.Now(), self: selfCPU(), done: make(chan struct{})}
	r.first = m.backends()
	r.last = map[int]time.Duration{}
	for pid, t := range r.first {
		r.last[pid] = t
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.done:
				return
			case <-tick.C:
				r.sample()
			}
		}
	}()
	return r
}

func (r *cpuRun) sample() {
	now := r.m.backends()
	r.mu.Lock()
	defer r.mu.Unlock()
	for pid, t := range now {
		r.last[pid] = t
	}
}

// stop prints the run's wall time, this process's CPU and the backends' CPU.
func (r *cpuRun) stop(name string) {
	wall := time.Since(r.wall)
	self := selfCPU() - r.self
	close(r.done)
	r.wg.Wait()
	r.sample()
	var pg time.Duration
	for pid, t := range r.last {
		pg += t - r.first[pid]
	}
	fmt.Fprintf(os.Stderr, "run %s: wall %.2fs, cpu go %.2fs, cpu postgres %.2fs\n", name, wall.Seconds(), self.Seconds(), pg.Seconds())
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backends returns the CPU (user+sys) of every local PostgreSQL backend of the database, by pid:
// the children of the postmaster whose title names the database, and their parallel workers.
func (m *cpuMeter) backends() map[int]time.Duration {
	out := map[int]time.Duration{}
	if m.postmaster == "" {
		return out
	}
	kids, _ := os.ReadFile(m.postmaster)
	needle := []byte(" " + m.dbName + " ")
	var workers []string
	for _, pid := range strings.Fields(string(kids)) {
		cmd, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err != nil {
			continue
		}
		if bytes.Contains(cmd, []byte("parallel worker for PID ")) {
			workers = append(workers, pid)
			continue
		}
		if !bytes.Contains(cmd, needle) {
			continue
		}
		if t, ok := procCPU("/proc/" + pid); ok {
			n, _ := strconv.Atoi(pid)
			out[n] = t
		}
	}
	// Parallel workers name their leader, not the database.
	for _, pid := range workers {
		cmd, _ := os.ReadFile("/proc/" + pid + "/cmdline")
		_, leader, _ := bytes.Cut(cmd, []byte("parallel worker for PID "))
		l, _ := strconv.Atoi(strings.TrimRight(strings.Fields(string(leader) + " ")[0], "\x00"))
		if _, ours := out[l]; !ours {
			continue
		}
		if t, ok := procCPU("/proc/" + pid); ok {
			n, _ := strconv.Atoi(pid)
			out[n] = t
		}
	}
	return out
}

// procCPU reads a process's user+sys time from /proc/PID/stat.
func procCPU(dir string) (time.Duration, bool) {
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return 0, false
	}
	// Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
	i := bytes.LastIndexByte(stat, ')')
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100), true // USER_HZ
}

// findPostmaster returns the children file of the local postmaster serving the benchmark, or ""
// when the server is not on this host (the backends' CPU then reads 0).
func findPostmaster(pid int) string {
	ppid := func(pid string) string {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return ""
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		return f[1]
	}
	if pid <= 0 {
		return ""
	}
	pm := ppid(strconv.Itoa(pid))
	if pm == "" {
		return ""
	}
	return "/proc/" + pm + "/task/" + pm + "/children"
}

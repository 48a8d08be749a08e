package testenv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/supportd/supportd/internal/localsvc"
)

// report is what a helper process, standing in for a test package, says it was given.
type report struct {
	PID     int
	DSN     string
	Admin   string
	Shared  bool
	Redis   RedisConfig
	Scratch string
}

// TestPackagesAreIsolated runs two processes at once, as go test ./... runs two packages, and
// checks that they get distinct databases and Redis databases and leave nothing behind: with the
// environment as given, with TESTENV_PRIVATE=1 as on a machine without servers, and with a shared
// Redis named in TEST_REDIS_URL. Without TEST_REDIS_URL, Redis is always a private server: a
// server that merely answers on 127.0.0.1:6379 may be a developer's own.
func TestPackagesAreIsolated(t *testing.T) {
	shared := PrivateRedis(t) // stands for a server named in TEST_REDIS_URL
	for _, mode := range []string{"given", "private", "shared-redis"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			env := os.Environ()
			private := mode == "private"
			switch mode {
			case "private":
				env = append(env, "TESTENV_PRIVATE=1")
			case "shared-redis":
				env = append(env, "TEST_REDIS_URL=redis://"+shared.Addr+"/0")
			}
			explicit := slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "TEST_REDIS_URL=") && kv != "TEST_REDIS_URL=" })
			reps := runHelpers(t, env, 2)
			a, b := reps[0], reps[1]
			if a.DSN == b.DSN {
				t.Errorf("both processes got database %s", a.DSN)
			}
			if a.Redis.Addr == b.Redis.Addr && a.Redis.DB == b.Redis.DB {
				t.Errorf("both processes got Redis %s db %d", a.Redis.Addr, a.Redis.DB)
			}
			for _, r := range reps {
				if private && (r.Shared || strings.Contains(r.DSN, ":5432/") || r.Redis.DB != 0) {
					t.Errorf("TESTENV_PRIVATE=1 used a shared server: %+v", r)
				}
				if (private || !explicit) && r.Redis.DB != 0 {
					t.Errorf("a shared Redis was used though no TEST_REDIS_URL named it: %+v", r.Redis)
				}
				if mode == "shared-redis" && (r.Redis.Addr != shared.Addr || r.Redis.DB == 0) {
					t.Errorf("TEST_REDIS_URL=%s not leased: %+v", shared.Addr, r.Redis)
				}
				checkLeftNothing(t, r)
			}
		})
	}
}

// runHelpers starts n helpers, collects their reports while all of them hold what they were
// given, then lets them finish and waits for them to clean up.
func runHelpers(t *testing.T, env []string, n int) []report {
	t.Helper()
	type result struct {
		rep report
		out string
	}
	results := make(chan result, n)
	cmds := make([]*exec.Cmd, n)
	stdins := make([]io.Closer, n)
	errBufs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperReport$", "-test.v")
		cmd.Env = append(env, "TESTENV_HELPER=1")
		errBufs[i] = &bytes.Buffer{}
		cmd.Stderr = errBufs[i]
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if stdins[i], err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
		go func() {
			var r result
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if js, ok := strings.CutPrefix(sc.Text(), "REPORT "); ok {
					_ = json.Unmarshal([]byte(js), &r.rep)
					break
				}
				r.out += sc.Text() + "\n"
			}
			results <- r
			_, _ = io.Copy(io.Discard, stdout)
		}()
	}
	reps := make([]report, 0, n)
	for range n {
		r := <-results
		if r.rep.PID == 0 {
			t.Errorf("a helper reported nothing:\n%s", r.out)
		}
		reps = append(reps, r.rep)
	}
	for i, cmd := range cmds {
		stdins[i].Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper: %v\n%s", err, errBufs[i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return reps
}

// checkLeftNothing checks that a helper that has exited dropped its database, released its lease
// and stopped the servers it started.
func checkLeftNothing(t *testing.T, r report) {
	t.Helper()
	if r.Shared {
		var exists bool
		queryRow(t, r.Admin, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", []any{dbName(t, r.DSN)}, &exists)
		if exists {
			t.Errorf("database %s outlived its process", dbName(t, r.DSN))
		}
	} else if localsvc.PostgresAvailable(r.Admin) {
		t.Errorf("private PostgreSQL %s outlived its process", r.Admin)
	}
	if r.Redis.DB != 0 {
		rdb := redis.NewClient(&redis.Options{Addr: r.Redis.Addr, Password: r.Redis.Password})
		defer rdb.Close()
		holder, _ := rdb.Get(context.Background(), leasePrefix+strconv.Itoa(r.Redis.DB)).Result()
		if strings.Contains(holder, " "+strconv.Itoa(r.PID)+" ") {
			t.Errorf("lease on Redis DB %d outlived its process", r.Redis.DB)
		}
		mine := redis.NewClient(&redis.Options{Addr: r.Redis.Addr, Password: r.Redis.Password, DB: r.Redis.DB})
		defer mine.Close()
		if n, _ := mine.Exists(context.Background(), ownerKey).Result(); n != 0 {
			t.Errorf("Redis DB %d still marked as testenv's after its process", r.Redis.DB)
		}
	} else if localsvc.RedisAvailable(r.Redis.Addr) {
		t.Errorf("private Redis %s outlived its process", r.Redis.Addr)
	}
	if r.Scratch != "" {
		if _, err := os.Stat(r.Scratch); !os.IsNotExist(err) {
			t.Errorf("scratch directory %s outlived its process", r.Scratch)
		}
	}
}

// TestHelperReport is the process TestPackagesAreIsolated starts twice.
func TestHelperReport(t *testing.T) {
	if os.Getenv("TESTENV_HELPER") != "1" {
		t.Skip("helper process for TestPackagesAreIsolated")
	}
	r := report{PID: os.Getpid(), DSN: Postgres(t), Redis: Redis(t)}
	if !tableExists(t, r.DSN, "goose_db_version") {
		t.Fatal("not migrated")
	}
	srv, err := server()
	if err != nil {
		t.Fatal(err)
	}
	r.Admin, r.Shared = srv.admin.String(), srv.shared
	if !r.Shared || r.Redis.DB == 0 {
		if r.Scratch, err = scratch(); err != nil {
			t.Fatal(err)
		}
	}
	js, _ := json.Marshal(r)
	fmt.Printf("REPORT %s\n", js)
	// Hold on to everything until the parent has heard from every helper.
	_, _ = io.Copy(io.Discard, os.Stdin)
}

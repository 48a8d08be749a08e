package localsvc

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestPostgresStartsStopsAndKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(tempDir(t), "data")
	start := time.Now()
	pg, err := StartPostgresWith(ctx, dir, nil, PostgresOptions{NoSync: true})
	skipIfMissing(t, err)
	t.Logf("initdb and start took %s", time.Since(start))
	t.Cleanup(func() { _ = pg.Stop() })

	want := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.Port)
	if pg.DSN != want {
		t.Errorf("DSN = %q, want %q", pg.DSN, want)
	}
	execSQL(t, pg.DSN, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
	if got := query(t, pg.DSN, "SHOW fsync"); got != "off" {
		t.Errorf("fsync = %q with NoSync", got)
	}
	if runtime.GOOS == "linux" {
		wantUID := fmt.Sprint(os.Getuid())
		if os.Geteuid() == 0 {
			u, err := user.Lookup("postgres")
			if err != nil {
				t.Fatal(err)
			}
			wantUID = u.Uid
		}
		if got := procStatus(pg.proc.cmd.Process.Pid, "Uid"); got != wantUID {
			t.Errorf("postgres runs as uid %s, want %s", got, wantUID)
		}
	}

	pid := pg.proc.cmd.Process.Pid
	if err := pg.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if pg.proc.err != nil {
		t.Errorf("postgres exited with %v after Stop", pg.proc.err)
	}
	if !gone(pid) {
		t.Errorf("postgres pid %d still running after Stop", pid)
	}
	if PostgresAvailable(pg.DSN) {
		t.Error("server still answers after Stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); !os.IsNotExist(err) {
		t.Errorf("postmaster.pid left after a clean stop: %v", err)
	}

	// A crashed server leaves its pid file; the next start must not be stopped by it.
	if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(fmt.Sprintf("%d\n%s\n", deadPID(t), dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	again, err := StartPostgres(ctx, dir, nil)
	t.Logf("start on an existing cluster took %s", time.Since(start))
	if err != nil {
		t.Fatalf("restart on the same directory: %v", err)
	}
	t.Cleanup(func() { _ = again.Stop() })
	if got := query(t, again.DSN, "SELECT n::text FROM kept"); got != "42" {
		t.Errorf("data after restart = %q, want 42", got)
	}

	port := again.Port
	if err := again.Restart(ctx); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if again.Port != port || !PostgresAvailable(again.DSN) {
		t.Errorf("after Restart: port %d (was %d), available %v", again.Port, port, PostgresAvailable(again.DSN))
	}
}

func TestPostgresRefusesUnreachableDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs PostgreSQL as another user")
	}
	if _, _, err := postgresBinaries(); err != nil {
		t.Skip(err)
	}
	private := privateDir(t) // 0700 and owned by root: the postgres user cannot enter it
	_, err := StartPostgres(context.Background(), filepath.Join(private, "data"), nil)
	if err == nil {
		t.Fatal("started in a directory the postgres user cannot reach")
	}
	t.Log(err)
}

func TestPostgresWithoutAccountAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root needs another account")
	}
	old := postgresUser
	postgresUser = "no-such-user-for-localsvc"
	t.Cleanup(func() { postgresUser = old })
	if _, _, err := postgresBinaries(); err != nil {
		t.Skip(err)
	}
	_, err := StartPostgres(context.Background(), tempDir(t), nil)
	if err == nil || !strings.Contains(err.Error(), "no-such-user-for-localsvc") {
		t.Fatalf("err = %v, want one naming the missing user", err)
	}
}

func TestPostgresBinariesMissing(t *testing.T) {
	t.Setenv("PATH", "")
	old := pgLibDirs
	pgLibDirs = filepath.Join(t.TempDir(), "*", "bin")
	t.Cleanup(func() { pgLibDirs = old })
	_, err := StartPostgres(context.Background(), t.TempDir(), nil)
	if !isNotInstalled(err) {
		t.Fatalf("err = %v, want ErrNotInstalled", err)
	}
}

func TestNewestLibBinary(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9.6", "15", "13"} {
		bin := filepath.Join(root, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, "postgres"), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := pgLibDirs
	pgLibDirs = filepath.Join(root, "*", "bin")
	t.Cleanup(func() { pgLibDirs = old })
	if got, want := newestLibBinary("postgres"), filepath.Join(root, "15", "bin", "postgres"); got != want {
		t.Errorf("newestLibBinary = %q, want %q", got, want)
	}
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

func query(t *testing.T, dsn, sql string) string {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

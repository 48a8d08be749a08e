package localsvc

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestRedisPersistOrNot(t *testing.T) {
	for _, persist := range []bool{false, true} {
		ctx := context.Background()
		r, err := StartRedisWith(ctx, t.TempDir(), nil, RedisOptions{Persist: persist})
		skipIfMissing(t, err)
		t.Cleanup(func() { _ = r.Stop() })
		if got := redisDo(t, r.Addr, "SET k v"); got != "+OK" {
			t.Fatalf("SET = %q", got)
		}
		if err := r.Restart(ctx); err != nil {
			t.Fatalf("Restart: %v", err)
		}
		want := "$-1" // nil: the key is gone
		if persist {
			want = "$1"
		}
		if got := redisDo(t, r.Addr, "GET k"); got != want {
			t.Errorf("Persist=%v: GET after restart = %q, want %q", persist, got, want)
		}
		pid := r.proc.cmd.Process.Pid
		if err := r.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if !gone(pid) || RedisAvailable(r.Addr) {
			t.Errorf("redis-server still running after Stop")
		}
	}
}

func TestAvailableProbes(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if RedisAvailable(addr) {
		t.Errorf("RedisAvailable(%s) on a free port", addr)
	}
	if PostgresAvailable("postgres://postgres@" + addr + "/postgres?sslmode=disable") {
		t.Errorf("PostgresAvailable on a free port")
	}
}

// redisDo sends one inline command and returns the first line of the reply.
func redisDo(t *testing.T, addr, cmd string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

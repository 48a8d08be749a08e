package localsvc

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestServersDieWithTheirParent kills a process that started servers, without a chance to stop
// them, and expects the servers to go too.
func TestServersDieWithTheirParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux ties a child's life to its parent's")
	}
	if _, err := redisBinary(); err != nil {
		t.Skip(err)
	}
	if _, _, err := postgresBinaries(); err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStartAndWait$")
	cmd.Env = append(os.Environ(), "LOCALSVC_HELPER_DIR="+tempDir(t))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pgPID, redisPID int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "PIDS %d %d", &pgPID, &redisPID); err == nil {
			break
		}
		t.Log(sc.Text())
	}
	if pgPID == 0 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the helper did not start its servers")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(20 * time.Second)
	for !(gone(pgPID) && gone(redisPID)) {
		if time.Now().After(deadline) {
			t.Fatalf("servers outlived their parent: postgres %d gone=%v, redis %d gone=%v", pgPID, gone(pgPID), redisPID, gone(redisPID))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHelperStartAndWait is the parent TestServersDieWithTheirParent kills.
func TestHelperStartAndWait(t *testing.T) {
	dir := os.Getenv("LOCALSVC_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestServersDieWithTheirParent")
	}
	ctx := context.Background()
	pg, err := StartPostgresWith(ctx, filepath.Join(dir, "pg"), nil, PostgresOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := StartRedis(ctx, filepath.Join(dir, "redis"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("PIDS %d %d\n", pg.proc.cmd.Process.Pid, r.proc.cmd.Process.Pid)
	time.Sleep(time.Minute)
}

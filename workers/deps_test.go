package workers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/workers"
)

// TestRunRefusesMissingClockOrLog: the worker's clock and logger are injected, never defaulted;
// Run without one returns an error naming it before it connects to anything.
func TestRunRefusesMissingClockOrLog(t *testing.T) {
	c := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	redis := asynq.RedisClientOpt{Addr: "127.0.0.1:1"} // never dialled
	if err := workers.Run(context.Background(), redis, workers.Config{}, workers.Deps{Log: quietLog()}); err == nil ||
		!strings.Contains(err.Error(), "Clock is required") {
		t.Errorf("Run without a clock: %v", err)
	}
	if err := workers.Run(context.Background(), redis, workers.Config{}, workers.Deps{Clock: c}); err == nil ||
		!strings.Contains(err.Error(), "Log is required") {
		t.Errorf("Run without a logger: %v", err)
	}
}

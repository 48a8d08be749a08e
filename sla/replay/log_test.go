package replay_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/sla/replay"
)

// quietLog is the logger the service gets in tests: NewService refuses to run without one. It
// discards rather than writing to t.Log, because a background replay may log after its test ends.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestNewServiceRefusesMissingClockOrLog: both are injected, never defaulted (slog.Default would
// bypass the process logger's settings); a missing one stops NewService with a message naming it.
func TestNewServiceRefusesMissingClockOrLog(t *testing.T) {
	c := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	for want, call := range map[string]func(){
		"clock is required": func() { replay.NewService(nil, nil, nil, nil, quietLog()) },
		"log is required":   func() { replay.NewService(nil, nil, nil, c, nil) },
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, want) {
					t.Errorf("panic %q, want %q", msg, want)
				}
			}()
			call()
		}()
	}
}

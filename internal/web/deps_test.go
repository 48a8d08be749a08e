package web

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
)

// TestNewRefusesMissingLogOrClock: the logger and the clock are injected, never defaulted; New
// without one fails with an error naming it, and with both it starts.
func TestNewRefusesMissingLogOrClock(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	if _, err := New(Deps{Clock: c}); err == nil || !strings.Contains(err.Error(), "Log is required") {
		t.Errorf("New without Log: %v", err)
	}
	if _, err := New(Deps{Log: log}); err == nil || !strings.Contains(err.Error(), "Clock is required") {
		t.Errorf("New without Clock: %v", err)
	}
	if _, err := New(Deps{Log: log, Clock: c}); err != nil {
		t.Errorf("New with both: %v", err)
	}
}

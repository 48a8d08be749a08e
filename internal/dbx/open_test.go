package dbx

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
)

// TestOpenRefusesMissingClockOrLog: GORM's NowFunc reads the injected clock and the connection
// logs to the injected logger; neither is defaulted, so Open fails before dialling without one.
func TestOpenRefusesMissingClockOrLog(t *testing.T) {
	if _, err := Open(context.Background(), "", Options{}); err == nil || !strings.Contains(err.Error(), "Clock is required") {
		t.Errorf("Open without a clock: %v", err)
	}
	c := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	if _, err := Open(context.Background(), "", Options{Clock: c}); err == nil || !strings.Contains(err.Error(), "Log is required") {
		t.Errorf("Open without a logger: %v", err)
	}
}

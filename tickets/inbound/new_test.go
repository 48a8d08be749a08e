package inbound_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/tickets/inbound"
)

// TestNewRefusesMissingDeps: the logger and the clock are injected, never defaulted, and a
// negative reopening window is no setting; New stops on each with a message naming it.
func TestNewRefusesMissingDeps(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
	for _, tc := range []struct {
		want string
		d    inbound.Deps
		cfg  inbound.Config
	}{
		{"Log is required", inbound.Deps{Clock: c}, inbound.Config{}},
		{"Clock is required", inbound.Deps{Log: log}, inbound.Config{}},
		{"ReopenWithin is negative", inbound.Deps{Log: log, Clock: c}, inbound.Config{ReopenWithin: -time.Hour}},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want %q", msg, tc.want)
				}
			}()
			inbound.New(tc.d, tc.cfg)
		}()
	}
}

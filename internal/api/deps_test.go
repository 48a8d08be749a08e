package api

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
)

// bareDeps are the dependencies New cannot do without, for tests of what is decided before any
// handler reaches the domain: a logger that discards and a clock stopped at a fixed instant.
func bareDeps() Deps {
	return Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clock.NewFake(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))}
}

// TestNewRefusesMissingLogOrClock: the logger and the clock are injected, never defaulted, and a
// missing one stops New with a message naming it.
func TestNewRefusesMissingLogOrClock(t *testing.T) {
	for _, c := range []struct {
		name string
		drop func(*Deps)
	}{{"Log", func(d *Deps) { d.Log = nil }}, {"Clock", func(d *Deps) { d.Clock = nil }}} {
		d := bareDeps()
		c.drop(&d)
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, c.name+" is required") {
					t.Errorf("New without %s: panic %q, want one naming it", c.name, msg)
				}
			}()
			New(d)
		}()
	}
}

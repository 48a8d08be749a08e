// Package clock is the one source of time for the engine. Every package that needs "now" takes a
// Clock, so tests can stop, set and advance time while production reads the wall clock.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock, in UTC so that stored and printed times do not depend on the process TZ.
type Real struct{}

// Now returns the current wall time in UTC.
func (Real) Now() time.Time { return time.Now().UTC() }

// Fake is a settable clock for tests. The zero value is not usable; use NewFake.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// NewFake returns a clock stopped at t.
func NewFake(t time.Time) *Fake { return &Fake{now: t.UTC()} }

// Now returns the clock's current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t.UTC()
	f.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	return f.now
}

// Required returns c, and panics naming the constructor who when c is nil: the clock is
// injected, never defaulted, so a missing one fails at start and not at the first deadline.
func Required(c Clock, who string) Clock {
	if c == nil {
		panic(who + ": clock is required")
	}
	return c
}

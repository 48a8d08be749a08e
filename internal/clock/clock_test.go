package clock_test

import (
	"testing"
	"time"

	"github.com/supportd/supportd/internal/clock"
)

func TestRequired(t *testing.T) {
	c := clock.NewFake(time.Unix(0, 0))
	if clock.Required(c, "x") != clock.Clock(c) {
		t.Fatal("Required did not return the clock it was given")
	}
	defer func() {
		if r := recover(); r != "catalog.New: clock is required" {
			t.Fatalf("recovered %v, want the constructor named", r)
		}
	}()
	clock.Required(nil, "catalog.New")
	t.Fatal("a nil clock was accepted")
}

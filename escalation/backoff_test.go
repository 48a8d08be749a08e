package escalation

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	cases := []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 1, 10 * time.Second},
		{2, 1, 20 * time.Second},
		{3, 1, 40 * time.Second},
		{9, 1, 2560 * time.Second},
		{10, 1, time.Hour}, // 5120 s, capped
		{50, 1, time.Hour},
		{1, 0.8, 8 * time.Second},
		{2, 1.2, 24 * time.Second},
	}
	for _, c := range cases {
		if got := retryDelay(c.attempt, c.jitter); got != c.want {
			t.Errorf("retryDelay(%d, %v) = %v, want %v", c.attempt, c.jitter, got, c.want)
		}
	}
	for i := 0; i < 1000; i++ {
		if j := jitter(); j < 0.8 || j >= 1.2 {
			t.Fatalf("jitter %v outside [0.8, 1.2)", j)
		}
	}
}

func TestBreaker(t *testing.T) {
	b := newBreaker(time.Minute)
	t0 := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	if b.open("smtp", t0) {
		t.Error("open before any failure")
	}
	b.trip("smtp", t0)
	if !b.open("smtp", t0.Add(59*time.Second)) || b.open("webhook:x", t0) {
		t.Error("a failure opens its own destination only, for the cooldown")
	}
	if b.open("smtp", t0.Add(time.Minute)) {
		t.Error("still open after the cooldown")
	}
	b.trip("smtp", t0)
	b.reset("smtp")
	if b.open("smtp", t0) {
		t.Error("open after a success")
	}
}

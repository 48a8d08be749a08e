package entitlement

import (
	"testing"
	"time"
	_ "time/tzdata" // America/New_York below, on machines without zoneinfo
)

func TestStateAt(t *testing.T) {
	graceEnd := at(2026, 5, 1, 0, 0) // end + 30 × 24h
	noGrace := with(func(e *Entitlement) { e.Grace = GracePolicy{} })
	cases := []struct {
		name string
		e    Entitlement
		now  time.Time
		want State
	}{
		{"before start", base(), start.Add(-ns), StateNotStarted},
		{"at start", base(), start, StateActive},
		{"after start", base(), start.Add(ns), StateActive},
		{"just before end", base(), end.Add(-ns), StateActive},
		{"at end", base(), end, StateGrace},
		{"just before grace ends", base(), graceEnd.Add(-ns), StateGrace},
		{"at grace end", base(), graceEnd, StateExpired},
		{"after grace end", base(), graceEnd.Add(ns), StateExpired},
		{"no grace: just before end", noGrace, end.Add(-ns), StateActive},
		{"no grace: at end", noGrace, end, StateExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.e.StateAt(c.now); got != c.want {
				t.Fatalf("StateAt(%v) = %s, want %s", c.now, got, c.want)
			}
		})
	}
}

func TestStateAtWithExtension(t *testing.T) {
	until := at(2026, 4, 15, 0, 0)
	granted := at(2026, 3, 25, 10, 0)
	ext := func(grace int, until, granted time.Time) Entitlement {
		return with(func(e *Entitlement) {
			e.Grace.Days = grace
			e.Extensions = []Extension{{Until: until, Reason: "renewal PO in approval", GrantedBy: id(9), GrantedAt: granted}}
		})
	}
	cases := []struct {
		name string
		e    Entitlement
		now  time.Time
		want State
		ext  time.Time // ExtendedUntil
	}{
		{"before end the contract covers", ext(0, until, granted), end.Add(-ns), StateActive, time.Time{}},
		{"no grace: extension covers the end", ext(0, until, granted), end, StateActive, until},
		{"no grace: just before until", ext(0, until, granted), until.Add(-ns), StateActive, until},
		{"no grace: at until", ext(0, until, granted), until, StateExpired, time.Time{}},
		{"grace outlasts extension: at until", ext(30, until, granted), until, StateGrace, time.Time{}},
		{"extension outlasts grace", ext(30, at(2026, 5, 10, 0, 0), granted), at(2026, 5, 5, 0, 0), StateActive, at(2026, 5, 10, 0, 0)},
		{"extension outlasts grace: at until", ext(30, at(2026, 5, 10, 0, 0), granted), at(2026, 5, 10, 0, 0), StateExpired, time.Time{}},
		{"granted after the end: not yet", ext(0, until, at(2026, 4, 5, 0, 0)), at(2026, 4, 5, 0, 0).Add(-ns), StateExpired, time.Time{}},
		{"granted after the end: from then", ext(0, until, at(2026, 4, 5, 0, 0)), at(2026, 4, 5, 0, 0), StateActive, until},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.e.StateAt(c.now); got != c.want {
				t.Errorf("StateAt = %s, want %s", got, c.want)
			}
			if got := c.e.ExtendedUntil(c.now); !got.Equal(c.ext) {
				t.Errorf("ExtendedUntil = %v, want %v", got, c.ext)
			}
		})
	}
}

func TestGraceEndsAt(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		end  time.Time
		days int
		want time.Time
	}{
		{"no grace", end, 0, end},
		{"30 days", end, 30, at(2026, 5, 1, 0, 0)},
		// Days are 24h: across the switch to daylight saving on
		// 2026-03-08 the wall clock moves an hour.
		{"30 days across DST", time.Date(2026, 3, 1, 0, 0, 0, 0, ny), 30, time.Date(2026, 3, 31, 1, 0, 0, 0, ny)},
	}
	for _, c := range cases {
		e := with(func(e *Entitlement) { e.EndsAt = c.end; e.Grace.Days = c.days })
		if got := e.GraceEndsAt(); !got.Equal(c.want) {
			t.Errorf("%s: GraceEndsAt = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	cases := []struct {
		name string
		now  time.Time
		want int
	}{
		{"at start (2025-04-01 → 2026-04-01 is 365 days)", start, 365},
		{"24h and 1ns before end", end.Add(-24*time.Hour - ns), 2},
		{"exactly 24h before end", end.Add(-24 * time.Hour), 1},
		{"15 hours before end: the last partial day counts", at(2026, 3, 31, 9, 0), 1},
		{"1ns before end", end.Add(-ns), 1},
		{"at end", end, 0},
		{"23h59m after end", end.Add(23*time.Hour + 59*time.Minute), 0},
		{"24h after end", end.Add(24 * time.Hour), -1},
		{"48h and 1ns after end", end.Add(48*time.Hour + ns), -2},
	}
	for _, c := range cases {
		if got := base().DaysLeft(c.now); got != c.want {
			t.Errorf("%s: DaysLeft = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestRenewal(t *testing.T) {
	until := at(2026, 6, 30, 0, 0) // end + 90 × 24h
	cases := []struct {
		name string
		e    Entitlement
		now  time.Time
		want RenewalFacts
	}{
		{"before end: on time, no fee", base(), end.Add(-ns), RenewalFacts{Renewable: true, RenewableUntil: until}},
		{"at end: late, fee", base(), end, RenewalFacts{Renewable: true, RenewableUntil: until, ReinstatementFee: true}},
		{"just before window closes", base(), until.Add(-ns), RenewalFacts{Renewable: true, RenewableUntil: until, ReinstatementFee: true}},
		{"window closed", base(), until, RenewalFacts{RenewableUntil: until, NewPurchaseRequired: true}},
		{"late without fee clause", with(func(e *Entitlement) { e.ReinstatementFee = false }), end, RenewalFacts{Renewable: true, RenewableUntil: until}},
		{"no window: at end", with(func(e *Entitlement) { e.RenewalWindowDays = 0 }), end, RenewalFacts{RenewableUntil: end, NewPurchaseRequired: true}},
		{"no window: just before end", with(func(e *Entitlement) { e.RenewalWindowDays = 0 }), end.Add(-ns), RenewalFacts{Renewable: true, RenewableUntil: end}},
		{"unlimited window, ten years late", with(func(e *Entitlement) { e.RenewalWindowDays = RenewalWindowUnlimited }), at(2036, 4, 1, 0, 0), RenewalFacts{Renewable: true, ReinstatementFee: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.e.Renewal(c.now)
			if got.Renewable != c.want.Renewable || !got.RenewableUntil.Equal(c.want.RenewableUntil) ||
				got.ReinstatementFee != c.want.ReinstatementFee || got.NewPurchaseRequired != c.want.NewPurchaseRequired {
				t.Fatalf("Renewal = %+v, want %+v", got, c.want)
			}
		})
	}
}

package sla

import (
	"testing"
	"time"
)

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	tokyo   = mustLoc("Asia/Tokyo")
	newYork = mustLoc("America/New_York")
)

// jst and ny build instants in the named zones, as the expected values of
// the tables are worked out by hand in local time.
func jst(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, tokyo) }
func ny(y int, m time.Month, d, h, mi int) time.Time  { return time.Date(y, m, d, h, mi, 0, 0, newYork) }
func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func mustCompile(t testing.TB, spec CalendarSpec) *Calendar {
	t.Helper()
	c, err := Compile(spec)
	if err != nil {
		t.Fatalf("Compile(%s): %v", spec.Name, err)
	}
	return c
}

func jpBusiness(t testing.TB) *Calendar { return mustCompile(t, DefaultCalendars()[0]) }

func weekdays(ivs ...Interval) map[time.Weekday][]Interval {
	return map[time.Weekday][]Interval{
		time.Monday: ivs, time.Tuesday: ivs, time.Wednesday: ivs, time.Thursday: ivs, time.Friday: ivs,
	}
}

func policyFor(tier Tier) Policy {
	for _, p := range DefaultPolicies() {
		if p.Tier == tier {
			return p
		}
	}
	panic("no policy " + tier)
}

// at is a shorthand for an event of kind k at instant t.
func at(k EventKind, t time.Time) Event { return Event{Kind: k, At: t} }

func plan(t *testing.T, tier Tier, sev int, accepted, now time.Time, events ...Event) Result {
	t.Helper()
	r, err := Plan(policyFor(tier), defaultCalendarSet(), Incident{Tier: tier, Severity: sev, AcceptedAt: accepted, Events: events}, now)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return r
}

func deadline(t *testing.T, r Result, tg Target) Deadline {
	t.Helper()
	d, ok := r.Deadline(tg)
	if !ok {
		t.Fatalf("no %s deadline in %+v", tg, r.Deadlines)
	}
	return d
}

func sameInstant(a, b time.Time) bool { return a.Equal(b) && a.IsZero() == b.IsZero() }

// defaultCalendarSet compiles DefaultCalendars.
func defaultCalendarSet() Calendars {
	var cals []*Calendar
	for _, spec := range DefaultCalendars() {
		c, err := Compile(spec)
		if err != nil {
			panic("sla: default calendar " + spec.Name + ": " + err.Error())
		}
		cals = append(cals, c)
	}
	return NewCalendars(cals...)
}

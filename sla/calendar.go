package sla

import (
	"sync"
	"time"
)

// Calendar is a compiled CalendarSpec. It is immutable and safe for
// concurrent use; build one with Compile.
type Calendar struct {
	name     string
	loc      *time.Location
	week     [7][]span // sorted, non-overlapping, minutes after local midnight
	dayLen   time.Duration
	jp       bool
	extra    map[day]bool
	closures []closure
	closed   []uint16 // per day in [tableFrom, tableTo): 0 open, else index+1 in notes
	notes    []string // why days are closed (holiday names, closures)
	fixed    bool     // the zone keeps one offset over [tableFrom, tableTo)
	offset   int64    // that offset in seconds east of UTC
	spec     CalendarSpec
}

// The closed-day table covers the years planning realistically reaches;
// days outside it are answered by the (slower, allocating) rules directly.
// It is a dense array rather than a bitset so that an explanation can name
// a holiday with one load instead of a map lookup.
var (
	tableFrom = dayOf(1990, 1, 1)
	tableTo   = dayOf(2110, 1, 1)
)

// jpTable holds the Japanese national holidays of the table's years, built
// once per process and shared by every calendar.
var jpTable = sync.OnceValue(func() map[day]string {
	fy, _, _ := tableFrom.date()
	ty, _, _ := tableTo.date()
	m := make(map[day]string, (ty-fy)*20)
	for y := fy; y < ty; y++ {
		for _, h := range jpHolidays(y) {
			m[h.day] = h.name
		}
	}
	return m
})

// Name returns the calendar's name, as used in policy cells.
func (c *Calendar) Name() string { return c.name }

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// BusinessDay returns the open time that "1 business day" stands for: the
// most common non-zero daily open length of the week, ties to the longer
// (8h30m for jp-business).
func (c *Calendar) BusinessDay() time.Duration { return c.dayLen }

// Spec returns a copy of the spec the calendar was compiled from.
func (c *Calendar) Spec() CalendarSpec { return cloneSpec(c.spec) }

func (c *Calendar) fillClosedTable() {
	c.detectFixedOffset()
	c.closed = make([]uint16, tableTo-tableFrom)
	index := map[string]uint16{}
	for n := tableFrom; n < tableTo; n++ {
		note, ok := c.closedSlow(n)
		if !ok {
			continue
		}
		k, seen := index[note]
		if !seen {
			c.notes = append(c.notes, note)
			k = uint16(len(c.notes))
			index[note] = k
		}
		c.closed[n-tableFrom] = k
	}
}

// neverOpen reports whether some run of more than a year has no open day,
// which would make planning walk forever; field names the likely culprit.
func (c *Calendar) neverOpen() (field string, bad bool) {
	run := 0
	for n := tableFrom; n < tableTo; n++ {
		if c.isClosed(n) || len(c.week[n.weekday()]) == 0 {
			if run++; run > 366 {
				if len(c.closures) > 0 {
					return "annual_closures", true
				}
				return "holidays", true
			}
			continue
		}
		run = 0
	}
	return "", false
}

// isClosed reports whether day n is a holiday or in a closure (weekly hours
// aside). It is the hot path: one load for any day of 1990–2109.
func (c *Calendar) isClosed(n day) bool {
	if n >= tableFrom && n < tableTo {
		return c.closed[n-tableFrom] != 0
	}
	_, ok := c.closedSlow(n)
	return ok
}

// closedSlow answers isClosed from the rules and says why. The reason order
// (closure, national holiday, extra date) makes a year-end closure read as
// one range in explanations even though 1 January is also a holiday.
func (c *Calendar) closedSlow(n day) (string, bool) {
	y, m, d := n.date()
	for _, cl := range c.closures {
		if cl.covers(m, d) {
			return cl.note, true
		}
	}
	if c.jp {
		if n >= tableFrom && n < tableTo {
			if name, ok := jpTable()[n]; ok {
				return name, true
			}
		} else {
			for _, h := range jpHolidays(y) {
				if h.day == n {
					return h.name, true
				}
			}
		}
	}
	if c.extra[n] {
		return "closed date", true
	}
	return "", false
}

// closedReason says why day n has no open time; "" if it has some.
func (c *Calendar) closedReason(n day) string {
	if n >= tableFrom && n < tableTo {
		if k := c.closed[n-tableFrom]; k != 0 {
			return c.notes[k-1]
		}
	} else if r, ok := c.closedSlow(n); ok {
		return r
	}
	if len(c.week[n.weekday()]) == 0 {
		return "no opening hours"
	}
	return ""
}

// IsOpen reports whether t falls inside an open interval [open, close).
func (c *Calendar) IsOpen(t time.Time) bool {
	n := c.dayOf(t)
	if c.isClosed(n) {
		return false
	}
	for _, s := range c.week[n.weekday()] {
		if o, cl := c.wall(n, s.open), c.wall(n, s.close); !t.Before(o) && t.Before(cl) {
			return true
		}
	}
	return false
}

// AddOpen returns the instant at which d of open time has elapsed after
// start, counting only open intervals; from a start outside hours counting
// begins at the next opening. A positive d always lands inside an open
// interval or exactly at its close. The result is in the calendar's zone.
func (c *Calendar) AddOpen(start time.Time, d time.Duration) time.Time {
	t, _ := c.walk(start, d, time.Time{}, nil)
	return t
}

// AddOpenExplained is AddOpen that also appends to steps one Step per open
// segment counted and per run of closed days skipped.
func (c *Calendar) AddOpenExplained(start time.Time, d time.Duration, steps []Step) (time.Time, []Step) {
	t, _ := c.walk(start, d, time.Time{}, &steps)
	return t, steps
}

// OpenBetween returns the open time in [from, to); zero if to is not after
// from.
func (c *Calendar) OpenBetween(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	_, n := c.walk(from, maxDuration, to, nil)
	return n
}

const maxDuration = time.Duration(1<<63 - 1)

// maxWalkDays bounds a walk; Compile guarantees an open day at least once a
// year, so only absurd durations (decades of open time) ever reach it.
const maxWalkDays = 200 * 366

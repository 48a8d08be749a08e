package sla

import "time"

// walk counts open time forward from start until need has been counted (it
// returns the instant that happened) or until limit, when limit is not zero
// (it returns limit and the open time counted before it). With rec set, it
// appends an "open" Step per segment counted and a "closed" Step per run of
// closed days passed (consecutive days closed for the same reason share one
// step, so a weekend or a year-end closure reads as one line).
//
// Openings and closings are local wall times turned into instants day by
// day (see wall), so 09:00 stays 09:00 on both sides of a daylight-saving
// change.
func (c *Calendar) walk(start time.Time, need time.Duration, limit time.Time, rec *[]Step) (time.Time, time.Duration) {
	start = start.In(c.loc)
	hasLimit := !limit.IsZero()
	var limitDay day
	if hasLimit {
		limit = limit.In(c.loc)
		limitDay = c.dayOf(limit)
	}
	var (
		counted time.Duration
		run     closedRun
	)
	n := c.dayOf(start)
	for range maxWalkDays {
		if hasLimit && n > limitDay {
			run.flush(c, rec)
			return limit, counted
		}
		spans := c.week[n.weekday()]
		if len(spans) == 0 || c.isClosed(n) {
			if rec != nil {
				run.add(c, rec, n)
			}
			n++
			continue
		}
		run.flush(c, rec)
		for _, s := range spans {
			cl := c.wall(n, s.close)
			if !cl.After(start) {
				continue
			}
			o := c.wall(n, s.open)
			if o.Before(start) {
				o = start
			}
			if hasLimit && !o.Before(limit) {
				return limit, counted
			}
			if !cl.After(o) { // a span swallowed by a daylight-saving gap
				continue
			}
			end, cut := cl, false
			if hasLimit && limit.Before(end) {
				end, cut = limit, true
			}
			left := need - counted
			if avail := end.Sub(o); avail >= left {
				at := o.Add(left)
				if rec != nil {
					*rec = append(*rec, Step{Kind: StepOpen, From: o, To: at, Counted: left})
				}
				return at, need
			} else {
				counted += avail
				if rec != nil {
					*rec = append(*rec, Step{Kind: StepOpen, From: o, To: end, Counted: avail, Left: need - counted})
				}
			}
			if cut {
				return limit, counted
			}
			// Spans never overlap on paper, but a daylight-saving gap can
			// stretch one into the next; never count an instant twice.
			start = end
		}
		n++
	}
	// Only reachable for a calendar open a few hours a year; report the
	// farthest day reached rather than an instant that is too early.
	run.flush(c, rec)
	return c.wall(n, 0), counted
}

// closedRun collects consecutive closed days that share a reason.
type closedRun struct {
	first, last day
	reason      string
	active      bool
}

func (r *closedRun) add(c *Calendar, rec *[]Step, n day) {
	reason := c.closedReason(n)
	if r.active && r.reason == reason && n == r.last+1 {
		r.last = n
		return
	}
	r.flush(c, rec)
	*r = closedRun{first: n, last: n, reason: reason, active: true}
}

func (r *closedRun) flush(c *Calendar, rec *[]Step) {
	if !r.active || rec == nil {
		return
	}
	*rec = append(*rec, Step{Kind: StepClosed, From: c.wall(r.first, 0), To: c.wall(r.last+1, 0), Note: r.reason})
	r.active = false
}

// wall returns the instant of local wall time minute (0–1440) on day n.
// Zones without offset changes in the table's years (Asia/Tokyo, UTC) take
// an arithmetic fast path; others go through time.Date, which applies the
// offset in force at that wall time.
func (c *Calendar) wall(n day, minute int) time.Time {
	if c.fixed && n >= tableFrom && n < tableTo {
		return time.Unix(int64(n)*86400+int64(minute)*60-c.offset, 0).In(c.loc)
	}
	y, m, d := n.date()
	return time.Date(y, m, d, 0, minute, 0, 0, c.loc)
}

// dayOf returns the local civil day of t.
func (c *Calendar) dayOf(t time.Time) day {
	if c.fixed {
		if n := day(floorDiv(t.Unix()+c.offset, 86400)); n >= tableFrom && n < tableTo {
			return n
		}
	}
	return localDay(t, c.loc)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// detectFixedOffset sets c.fixed when the zone keeps one UTC offset over
// all the table's years.
func (c *Calendar) detectFixedOffset() {
	from := c.wallSlow(tableFrom, 0)
	_, off := from.Zone()
	start, end := from.ZoneBounds()
	if !start.After(from) && (end.IsZero() || !end.Before(c.wallSlow(tableTo, 0))) {
		c.fixed, c.offset = true, int64(off)
	}
}

func (c *Calendar) wallSlow(n day, minute int) time.Time {
	y, m, d := n.date()
	return time.Date(y, m, d, 0, minute, 0, 0, c.loc)
}

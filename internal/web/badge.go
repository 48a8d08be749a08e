package web

import (
	"fmt"
	"time"

	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// badge is what a queue row shows of an incident's clocks: which one runs, when it is due in
// the incident's calendar and in the viewer's zone and how much time is left as that clock
// counts it (open time for a business calendar), or that it is paused with why, or that a target
// was breached and by how much.
type badge struct {
	Kind   string // running, paused, breached, none
	Clock  string // message key: ws.clock.first_response, ws.clock.update_cadence, ws.clock.escalation
	Target sla.Target
	Due    time.Time
	// CalDue is the deadline in the calendar's own zone (empty on a 24x7 clock, or when that zone
	// is the viewer's).
	CalDue string
	Due2   string // the deadline in the viewer's zone
	Left   string // "2 h 10 min"
	// Business: Left counts the calendar's open time, so the browser must not tick it down as
	// wall time.
	Business bool
	Late     string // how late a breached target is
	Reason   string // message key of why a paused clock waits
}

// clockKey names the clock a target runs on the badge.
func clockKey(t sla.Target) string {
	switch t {
	case sla.FirstResponse:
		return "ws.clock.first_response"
	case sla.UpdateCadence, sla.Remediation:
		return "ws.clock.update_cadence"
	}
	return "ws.clock.escalation"
}

// badgeOf picks the clock that matters most now: a breach not yet answered, else the open target
// due first, else a paused one. cals are the current calendars; viewer is the viewer's zone.
func badgeOf(inc tickets.Incident, cals sla.Calendars, now time.Time, viewer *time.Location) badge {
	if inc.SLA == nil {
		return badge{Kind: "none"}
	}
	var run, paused, breached *catalog.Target
	for i := range inc.SLA.Targets {
		t := &inc.SLA.Targets[i]
		switch {
		case t.State == sla.Breached && t.MetAt == nil && breached == nil:
			breached = t
		case t.State == sla.Pending && t.DueAt != nil && (run == nil || t.DueAt.Before(*run.DueAt)):
			run = t
		case t.State == sla.Paused && paused == nil:
			paused = t
		}
	}
	switch {
	case breached != nil:
		b := badge{Kind: "breached", Clock: clockKey(breached.Target), Target: breached.Target}
		if breached.DueAt != nil {
			b.Due = *breached.DueAt
			b.Late = span(now.Sub(*breached.DueAt))
			b.CalDue, b.Due2 = dueIn(*breached.DueAt, breached.Clock, cals, viewer)
		}
		return b
	case run != nil:
		b := badge{Kind: "running", Clock: clockKey(run.Target), Target: run.Target, Due: *run.DueAt}
		b.CalDue, b.Due2 = dueIn(*run.DueAt, run.Clock, cals, viewer)
		left := run.DueAt.Sub(now)
		if cal, ok := cals[run.Clock]; ok && run.Clock != sla.Clock24x7 {
			left, b.Business = cal.OpenBetween(now, *run.DueAt), true
		}
		if left < 0 {
			left = 0
		}
		b.Left = span(left)
		return b
	case paused != nil:
		b := badge{Kind: "paused", Clock: clockKey(paused.Target), Target: paused.Target, Reason: "ws.paused.waiting"}
		if inc.Status != tickets.StatusWaiting {
			b.Reason = "ws.paused.other"
		}
		if d, err := time.ParseDuration(paused.Remaining); err == nil {
			b.Left = span(d)
		}
		return b
	}
	return badge{Kind: "none"}
}

// dueIn formats a deadline in the calendar's zone and in the viewer's ("16:40 JST"), with the
// date when it is not today in that zone.
func dueIn(due time.Time, clock string, cals sla.Calendars, viewer *time.Location) (cal, mine string) {
	mine = short(due, viewer)
	if c, ok := cals[clock]; ok && clock != sla.Clock24x7 && c.Location().String() != viewer.String() {
		cal = short(due, c.Location())
	}
	return cal, mine
}

func short(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("01-02 15:04 MST")
}

// span writes a duration as "2 h 10 min" (days beyond 48 h), the way the badge reads.
func span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d d %d h", m/(24*60), m%(24*60)/60)
}

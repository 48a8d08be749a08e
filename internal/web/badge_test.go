package web

import (
	"testing"
	"time"

	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// TestBadgeCountsTheCalendar: the time left on a business-calendar clock is the calendar's open
// time (Friday 16:00 JST to Monday 16:00 JST is 8 h 30 min of jp-business, not 72 h), the
// deadline shows in the calendar's zone and the viewer's; breached and paused clocks say how late
// and why.
func TestBadgeCountsTheCalendar(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	ny, _ := time.LoadLocation("America/New_York")
	var compiled []*sla.Calendar
	for _, spec := range sla.DefaultCalendars() {
		c, err := sla.Compile(spec)
		if err != nil {
			t.Fatal(err)
		}
		compiled = append(compiled, c)
	}
	cals := sla.NewCalendars(compiled...)
	now := time.Date(2026, 11, 27, 16, 0, 0, 0, tokyo) // a Friday
	due := time.Date(2026, 11, 30, 16, 0, 0, 0, tokyo)
	ptr := func(t time.Time) *time.Time { return &t }
	inc := func(status tickets.Status, ts ...catalog.Target) tickets.Incident {
		return tickets.Incident{Status: status, SLA: &tickets.SLA{Targets: ts}}
	}
	cases := []struct {
		name string
		inc  tickets.Incident
		view *time.Location
		want badge
	}{
		{"business", inc(tickets.StatusNew, catalog.Target{Target: sla.FirstResponse, State: sla.Pending, DueAt: ptr(due), Clock: "jp-business"},
			catalog.Target{Target: sla.SupportManager, State: sla.Pending, DueAt: ptr(due.Add(time.Hour)), Clock: "jp-business"}), ny,
			badge{Kind: "running", Clock: "ws.clock.first_response", Target: sla.FirstResponse, Due: due, CalDue: "11-30 16:00 JST",
				Due2: "11-30 02:00 EST", Left: "8 h 30 min", Business: true}},
		{"wall", inc(tickets.StatusInProgress, catalog.Target{Target: sla.UpdateCadence, State: sla.Pending, DueAt: ptr(now.Add(130 * time.Minute)), Clock: "24x7"}), tokyo,
			badge{Kind: "running", Clock: "ws.clock.update_cadence", Target: sla.UpdateCadence, Due: now.Add(130 * time.Minute), Due2: "11-27 18:10 JST", Left: "2 h 10 min"}},
		{"breached", inc(tickets.StatusNew, catalog.Target{Target: sla.FirstResponse, State: sla.Breached, DueAt: ptr(now.Add(-75 * time.Minute)), Clock: "24x7"},
			catalog.Target{Target: sla.SupportManager, State: sla.Pending, DueAt: ptr(due), Clock: "24x7"}), tokyo,
			badge{Kind: "breached", Clock: "ws.clock.first_response", Target: sla.FirstResponse, Due: now.Add(-75 * time.Minute), Due2: "11-27 14:45 JST", Late: "1 h 15 min"}},
		{"paused", inc(tickets.StatusWaiting, catalog.Target{Target: sla.UpdateCadence, State: sla.Paused, Remaining: "1h30m0s", Clock: "24x7"}), tokyo,
			badge{Kind: "paused", Clock: "ws.clock.update_cadence", Target: sla.UpdateCadence, Left: "1 h 30 min", Reason: "ws.paused.waiting"}},
		{"none", tickets.Incident{}, tokyo, badge{Kind: "none"}},
	}
	for _, c := range cases {
		got := badgeOf(c.inc, cals, now, c.view)
		if !got.Due.Equal(c.want.Due) {
			t.Errorf("%s: due %v, want %v", c.name, got.Due, c.want.Due)
		}
		got.Due, c.want.Due = time.Time{}, time.Time{}
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

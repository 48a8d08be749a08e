package sla

import (
	"testing"
	"time"
)

// fuzzCalendars are the calendars the fuzzers pick from: the default one,
// a lunch break, New York (DST), and a London calendar whose Sunday hours
// sit inside the spring-forward gap and the autumn repeat.
func fuzzCalendars(t testing.TB) []*Calendar {
	return []*Calendar{
		jpBusiness(t),
		mustCompile(t, CalendarSpec{Name: "lunch", TimeZone: "Asia/Tokyo", NationalHolidays: "jp",
			Weekly: weekdays(Interval{"09:00", "12:00"}, Interval{"13:00", "17:00"})}),
		mustCompile(t, CalendarSpec{Name: "us-east", TimeZone: "America/New_York",
			Weekly: weekdays(Interval{"09:00", "17:00"}), Holidays: []string{"2026-07-03", "2026-12-25"}}),
		mustCompile(t, CalendarSpec{Name: "uk-night", TimeZone: "Europe/London",
			Weekly: map[time.Weekday][]Interval{
				time.Sunday:   {{"00:30", "01:30"}, {"02:00", "03:00"}, {"22:00", "24:00"}},
				time.Monday:   {{"00:00", "02:00"}, {"09:00", "17:00"}},
				time.Saturday: {{"01:00", "02:30"}},
			}, AnnualClosures: []Closure{{"12-24", "12-26"}}}),
	}
}

// inHours reports whether t lies in [open, close] of an interval of c.
func inHours(c *Calendar, t time.Time) bool {
	n := localDay(t, c.loc)
	for _, k := range []day{n - 1, n} {
		if c.isClosed(k) {
			continue
		}
		y, m, d := k.date()
		for _, s := range c.week[k.weekday()] {
			o := time.Date(y, m, d, 0, s.open, 0, 0, c.loc)
			cl := time.Date(y, m, d, 0, s.close, 0, 0, c.loc)
			if cl.After(o) && !t.Before(o) && !t.After(cl) {
				return true
			}
		}
	}
	return false
}

// fuzzStart maps any int64 to an instant in 2000–2060, where the holiday
// rules are exact.
func fuzzStart(sec int64) time.Time {
	const span = 60 * 365 * 24 * 3600
	if sec < 0 {
		sec = -(sec + 1)
	}
	return time.Unix(946684800+sec%span, 0).UTC()
}

func FuzzAddOpen(f *testing.F) {
	f.Add(int64(0), uint32(510), uint32(60), uint32(3600), uint8(0))
	f.Add(int64(846_000_000), uint32(1), uint32(1), uint32(1), uint8(2)) // near a 2026 DST change
	f.Add(int64(827_000_000), uint32(4000), uint32(0), uint32(86400), uint8(3))
	f.Add(int64(852_000_000), uint32(90), uint32(900), uint32(7), uint8(1)) // late 2026
	cals := fuzzCalendars(f)
	f.Fuzz(func(t *testing.T, sec int64, minutes, extra, later uint32, which uint8) {
		c := cals[int(which)%len(cals)]
		start := fuzzStart(sec)
		d := time.Duration(minutes%(60*24*30)+1) * time.Second * 37 // up to ~12 days of open time, odd seconds
		due := c.AddOpen(start, d)
		if due.Before(start) {
			t.Fatalf("%s: AddOpen(%v, %v) = %v, before the start", c.name, start, d, due)
		}
		if !inHours(c, due) {
			t.Fatalf("%s: AddOpen(%v, %v) = %v, outside opening hours", c.name, start, d, due)
		}
		if got := c.OpenBetween(start, due); got != d {
			t.Fatalf("%s: OpenBetween(%v, %v) = %v, want %v", c.name, start, due, got, d)
		}
		longer := c.AddOpen(start, d+time.Duration(extra%100_000)*time.Second)
		if longer.Before(due) {
			t.Fatalf("%s: longer target %v ends before %v", c.name, longer, due)
		}
		laterStart := start.Add(time.Duration(later%1_000_000) * time.Second)
		if got := c.AddOpen(laterStart, d); got.Before(due) {
			t.Fatalf("%s: later start %v gives %v, before %v", c.name, laterStart, got, due)
		}
		var steps []Step
		explained, steps := c.AddOpenExplained(start, d, steps)
		if !explained.Equal(due) {
			t.Fatalf("%s: explained %v != %v", c.name, explained, due)
		}
		var sum time.Duration
		for _, s := range steps {
			sum += s.Counted
		}
		if sum != d {
			t.Fatalf("%s: explanation counts %v, want %v", c.name, sum, d)
		}
	})
}

// FuzzPlan checks the planner's invariants on standard and premium
// incidents whose business cells run on one of the fuzz calendars.
func FuzzPlan(f *testing.F) {
	f.Add(uint8(0), uint8(2), int64(846_000_000), uint16(60), uint16(120), uint16(300), uint16(30), uint16(0), uint8(1), uint8(0))
	f.Add(uint8(1), uint8(1), int64(827_000_000), uint16(10), uint16(5), uint16(2000), uint16(600), uint16(90), uint8(3), uint8(2))
	f.Add(uint8(2), uint8(3), int64(852_000_000), uint16(0), uint16(0), uint16(1), uint16(0), uint16(45), uint8(2), uint8(3))
	f.Add(uint8(0), uint8(4), int64(1), uint16(900), uint16(1), uint16(10), uint16(1), uint16(7000), uint8(1), uint8(1))
	cals := fuzzCalendars(f)
	f.Fuzz(func(t *testing.T, tierN, sevN uint8, sec int64, ackMin, waitMin, waitLen, extraMin, sevAt uint16, newSev, which uint8) {
		cal := cals[int(which)%len(cals)]
		set := NewCalendars(cal)
		tier := Tiers[int(tierN)%len(Tiers)]
		base := policyOn(policyFor(tier), cal.name)
		sev := int(sevN)%4 + 1
		acc := fuzzStart(sec)
		var events []Event
		if ackMin%5 != 0 {
			events = append(events, at(Acknowledged, acc.Add(time.Duration(ackMin)*time.Minute)))
		}
		if sevAt%3 != 0 {
			events = append(events, Event{Kind: SeverityChanged, At: acc.Add(time.Duration(sevAt) * time.Minute), Severity: int(newSev)%4 + 1})
		}
		// Some runs also resolve and reopen, go out of scope and back, or
		// post an update, in both the plain and the paused variant.
		mid := acc.Add(time.Duration(extraMin%2000) * time.Minute)
		switch newSev / 4 % 4 {
		case 1:
			events = append(events, at(Resolved, mid), at(Reopened, mid.Add(time.Duration(waitLen%300)*time.Minute)))
		case 2:
			events = append(events, Event{Kind: ScopeChanged, At: mid, Scope: ScopeUnsupported},
				Event{Kind: ScopeChanged, At: mid.Add(time.Duration(waitMin%500) * time.Minute), Scope: ScopeProduct})
		case 3:
			events = append(events, at(PublicUpdate, mid))
		}
		now := acc.Add(time.Duration(int(ackMin)+int(waitMin)+int(waitLen)+int(sevAt)) * time.Minute)
		in := Incident{Tier: tier, Severity: sev, AcceptedAt: acc, Events: events}
		plain := mustPlan(t, base, set, in, now)

		for _, d := range plain.Deadlines {
			if !d.DueAt.IsZero() && d.DueAt.Before(acc) {
				t.Fatalf("%s due %v before acceptance %v", d.Target, d.DueAt, acc)
			}
			if d.Clock == cal.name && !d.DueAt.IsZero() && !inHours(cal, d.DueAt) {
				t.Fatalf("%s due %v outside %s hours", d.Target, d.DueAt, cal.name)
			}
		}

		// Pausing never makes a deadline earlier.
		ws := acc.Add(time.Duration(waitMin) * time.Minute)
		paused := in
		paused.Events = append(append([]Event(nil), events...),
			at(WaitStarted, ws), at(WaitEnded, ws.Add(time.Duration(waitLen)*time.Minute)))
		notEarlier(t, "paused", plain, mustPlan(t, base, set, paused, now))

		// A longer target never gives an earlier deadline.
		longer := base
		longer.Cells = append([]Cell(nil), base.Cells...)
		for i := range longer.Cells {
			switch longer.Cells[i].Kind {
			case Duration:
				longer.Cells[i].Duration += time.Duration(extraMin) * time.Minute
			case BusinessDays:
				longer.Cells[i].BusinessDays += int(extraMin % 2)
			}
		}
		notEarlier(t, "longer", plain, mustPlan(t, longer, set, in, now))
	})
}

// policyOn moves every business-calendar cell of p onto calendar name.
func policyOn(p Policy, name string) Policy {
	out := p.Merge(nil)
	for i := range out.Cells {
		if out.Cells[i].Kind.Timed() && out.Cells[i].Clock != Clock24x7 {
			out.Cells[i].Clock = name
		}
	}
	return out
}

func mustPlan(t *testing.T, p Policy, cals Calendars, in Incident, now time.Time) Result {
	t.Helper()
	r, err := Plan(p, cals, in, now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func notEarlier(t *testing.T, what string, base, other Result) {
	t.Helper()
	for _, b := range base.Deadlines {
		o, ok := other.Deadline(b.Target)
		if !ok || b.DueAt.IsZero() || o.DueAt.IsZero() {
			continue
		}
		if o.DueAt.Before(b.DueAt) {
			t.Fatalf("%s: %s due %v, earlier than %v\n%s\n--- base:\n%s", what, b.Target, o.DueAt, b.DueAt, o.Explanation, b.Explanation)
		}
	}
}

package sla

import (
	"errors"
	"testing"
	"time"
)

const bd = 8*time.Hour + 30*time.Minute // one jp-business day

// Every expected instant was worked out by hand on a paper calendar.
func TestAddOpenJPBusiness(t *testing.T) {
	cal := jpBusiness(t)
	tests := []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"SPEC: Friday 16:00 + 1 business day", jst(2026, 11, 13, 16, 0), bd, jst(2026, 11, 16, 16, 0)},
		{"SPEC: Saturday + 1 business day", jst(2026, 11, 14, 10, 0), bd, jst(2026, 11, 16, 17, 30)},
		{"inside hours, next day", jst(2026, 11, 17, 10, 0), bd, jst(2026, 11, 18, 10, 0)},
		{"before opening lands at close", jst(2026, 11, 17, 7, 0), bd, jst(2026, 11, 17, 17, 30)},
		{"after closing", jst(2026, 11, 17, 18, 0), 8 * time.Hour, jst(2026, 11, 18, 17, 0)},
		{"exactly at close", jst(2026, 11, 17, 17, 30), time.Hour, jst(2026, 11, 18, 10, 0)},
		{"exactly at open", jst(2026, 11, 17, 9, 0), bd, jst(2026, 11, 17, 17, 30)},
		{"seconds", jst(2026, 11, 17, 17, 29), 2 * time.Minute, jst(2026, 11, 18, 9, 1)},
		{"Friday before 勤労感謝の日 Monday", jst(2026, 11, 20, 16, 0), bd, jst(2026, 11, 24, 16, 0)},
		{"opened on a holiday", jst(2026, 11, 23, 10, 0), bd, jst(2026, 11, 24, 17, 30)},
		{"golden week with 5/6 substitute", jst(2026, 5, 1, 16, 0), bd, jst(2026, 5, 7, 16, 0)},
		{"2025 5/6 substitute", jst(2025, 5, 2, 17, 0), time.Hour, jst(2025, 5, 7, 9, 30)},
		{"2024-02-12 substitute", jst(2024, 2, 9, 17, 0), time.Hour, jst(2024, 2, 13, 9, 30)},
		{"citizens' holiday 2026-09-22", jst(2026, 9, 18, 17, 0), bd, jst(2026, 9, 24, 17, 0)},
		{"into year-end closure", jst(2026, 12, 28, 15, 0), bd, jst(2027, 1, 4, 15, 0)},
		{"2 business days over 2025/26 closure", jst(2025, 12, 26, 12, 0), 2 * bd, jst(2026, 1, 6, 12, 0)},
		{"opened inside the closure", jst(2026, 12, 30, 11, 0), time.Hour, jst(2027, 1, 4, 10, 0)},
		{"zero from closed time waits for opening", jst(2026, 11, 14, 10, 0), 0, jst(2026, 11, 16, 9, 0)},
		{"zero inside hours", jst(2026, 11, 17, 10, 0), 0, jst(2026, 11, 17, 10, 0)},
		{"start given in UTC", utc(2026, 11, 13, 7, 0), bd, jst(2026, 11, 16, 16, 0)},
		{"five business days", jst(2026, 11, 16, 9, 0), 5 * bd, jst(2026, 11, 20, 17, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddOpen(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Errorf("AddOpen(%v, %v) = %v, want %v", tt.start, tt.d, got, tt.want)
			}
			if got.Location().String() != "Asia/Tokyo" {
				t.Errorf("result zone %v, want the calendar's", got.Location())
			}
			if tt.d > 0 {
				if between := cal.OpenBetween(tt.start, got); between != tt.d {
					t.Errorf("OpenBetween(start, due) = %v, want %v", between, tt.d)
				}
			}
		})
	}
}

func TestAddOpenLunchBreak(t *testing.T) {
	cal := mustCompile(t, CalendarSpec{Name: "lunch", TimeZone: "Asia/Tokyo",
		Weekly: weekdays(Interval{"13:00", "17:00"}, Interval{"09:00", "12:00"})}) // given out of order on purpose
	if got := cal.BusinessDay(); got != 7*time.Hour {
		t.Fatalf("BusinessDay = %v, want 7h", got)
	}
	tests := []struct {
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{jst(2026, 11, 16, 11, 0), 2 * time.Hour, jst(2026, 11, 16, 14, 0)},
		{jst(2026, 11, 16, 12, 30), time.Hour, jst(2026, 11, 16, 14, 0)},
		{jst(2026, 11, 16, 11, 0), time.Hour, jst(2026, 11, 16, 12, 0)}, // at the lunch close
		{jst(2026, 11, 16, 10, 0), 7 * time.Hour, jst(2026, 11, 17, 10, 0)},
		// National holidays are off for this calendar: 11-23 is a working day.
		{jst(2026, 11, 20, 16, 0), 2 * time.Hour, jst(2026, 11, 23, 10, 0)},
	}
	for _, tt := range tests {
		if got := cal.AddOpen(tt.start, tt.d); !got.Equal(tt.want) {
			t.Errorf("AddOpen(%v, %v) = %v, want %v", tt.start, tt.d, got, tt.want)
		}
	}
	if cal.IsOpen(jst(2026, 11, 16, 12, 30)) || !cal.IsOpen(jst(2026, 11, 16, 13, 0)) {
		t.Error("IsOpen does not see the lunch break")
	}
}

// New York keeps 09:00 local across both changes of 2026 (8 March, 1 November).
func TestAddOpenNewYorkDST(t *testing.T) {
	cal := mustCompile(t, CalendarSpec{Name: "us-east", TimeZone: "America/New_York",
		Weekly: weekdays(Interval{"09:00", "17:00"})})
	tests := []struct {
		name    string
		start   time.Time
		d       time.Duration
		want    time.Time
		wantUTC time.Time
	}{
		{"spring forward", ny(2026, 3, 6, 16, 0), 8 * time.Hour, ny(2026, 3, 9, 16, 0), utc(2026, 3, 9, 20, 0)},
		{"fall back", ny(2026, 10, 30, 16, 0), 8 * time.Hour, ny(2026, 11, 2, 16, 0), utc(2026, 11, 2, 21, 0)},
		{"opening after spring forward", ny(2026, 3, 8, 12, 0), time.Hour, ny(2026, 3, 9, 10, 0), utc(2026, 3, 9, 14, 0)},
		{"opening after fall back", ny(2026, 11, 1, 12, 0), time.Hour, ny(2026, 11, 2, 10, 0), utc(2026, 11, 2, 15, 0)},
	}
	for _, tt := range tests {
		got := cal.AddOpen(tt.start, tt.d)
		if !got.Equal(tt.want) || !got.Equal(tt.wantUTC) {
			t.Errorf("%s: AddOpen = %v (%v UTC), want %v", tt.name, got, got.UTC(), tt.want)
		}
	}

	// A round-the-clock Sunday has 23 open hours on 8 March and 25 on 1 November.
	sun := mustCompile(t, CalendarSpec{Name: "us-sunday", TimeZone: "America/New_York",
		Weekly: map[time.Weekday][]Interval{time.Sunday: {{"00:00", "24:00"}}}})
	if got := sun.OpenBetween(ny(2026, 3, 8, 0, 0), ny(2026, 3, 9, 0, 0)); got != 23*time.Hour {
		t.Errorf("open time on 2026-03-08 = %v, want 23h", got)
	}
	if got := sun.OpenBetween(ny(2026, 11, 1, 0, 0), ny(2026, 11, 2, 0, 0)); got != 25*time.Hour {
		t.Errorf("open time on 2026-11-01 = %v, want 25h", got)
	}
	if got, want := sun.AddOpen(ny(2026, 3, 8, 0, 0), 24*time.Hour), ny(2026, 3, 15, 1, 0); !got.Equal(want) {
		t.Errorf("24h from 2026-03-08 = %v, want %v", got, want)
	}
	if got, want := sun.AddOpen(ny(2026, 11, 1, 0, 0), 25*time.Hour), ny(2026, 11, 2, 0, 0); !got.Equal(want) {
		t.Errorf("25h from 2026-11-01 = %v, want %v", got, want)
	}
}

// Results depend on the calendar's zone only, never on time.Local.
func TestIndependentOfLocal(t *testing.T) {
	cal := jpBusiness(t)
	start := utc(2026, 11, 13, 7, 0)
	want := cal.AddOpen(start, bd)
	saved := time.Local
	defer func() { time.Local = saved }()
	time.Local = time.FixedZone("Elsewhere", -11*3600)
	if got := cal.AddOpen(start, bd); !got.Equal(want) {
		t.Errorf("with another time.Local: %v, want %v", got, want)
	}
}

func TestOpenBetween(t *testing.T) {
	cal := jpBusiness(t)
	tests := []struct {
		from, to time.Time
		want     time.Duration
	}{
		{jst(2026, 11, 20, 16, 0), jst(2026, 11, 24, 10, 0), 2*time.Hour + 30*time.Minute},
		{jst(2026, 11, 21, 10, 0), jst(2026, 11, 22, 10, 0), 0},
		{jst(2026, 11, 24, 10, 0), jst(2026, 11, 24, 9, 0), 0},
		{jst(2026, 11, 24, 12, 0), jst(2026, 11, 24, 12, 0), 0},
		{jst(2026, 12, 25, 9, 0), jst(2027, 1, 5, 9, 0), 3 * bd}, // Fri 12-25, Mon 12-28, closure, Mon 01-04
	}
	for _, tt := range tests {
		if got := cal.OpenBetween(tt.from, tt.to); got != tt.want {
			t.Errorf("OpenBetween(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestBusinessDayLength(t *testing.T) {
	iv := func(o, c string) []Interval { return []Interval{{o, c}} }
	tests := []struct {
		name string
		week map[time.Weekday][]Interval
		want time.Duration
	}{
		{"jp-business", weekdays(Interval{"09:00", "17:30"}), bd},
		{"short Saturday", map[time.Weekday][]Interval{1: iv("09:00", "17:00"), 2: iv("09:00", "17:00"),
			3: iv("09:00", "17:00"), 4: iv("09:00", "17:00"), 6: iv("09:00", "13:00")}, 8 * time.Hour},
		{"tie goes to the longer", map[time.Weekday][]Interval{1: iv("09:00", "17:00"), 2: iv("09:00", "17:00"),
			3: iv("09:00", "15:00"), 4: iv("09:00", "15:00")}, 8 * time.Hour},
		{"most common wins", map[time.Weekday][]Interval{1: iv("09:00", "19:00"), 2: iv("09:00", "15:00"),
			3: iv("09:00", "15:00")}, 6 * time.Hour},
	}
	for _, tt := range tests {
		cal := mustCompile(t, CalendarSpec{Name: "x", TimeZone: "UTC", Weekly: tt.week})
		if got := cal.BusinessDay(); got != tt.want {
			t.Errorf("%s: BusinessDay = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	ok := func() CalendarSpec {
		return CalendarSpec{Name: "c", TimeZone: "Asia/Tokyo", Weekly: weekdays(Interval{"09:00", "17:30"})}
	}
	tests := []struct {
		field string
		edit  func(*CalendarSpec)
	}{
		{"name", func(s *CalendarSpec) { s.Name = "" }},
		{"name", func(s *CalendarSpec) { s.Name = "24x7" }},
		{"time_zone", func(s *CalendarSpec) { s.TimeZone = "Mars/Olympus_Mons" }},
		{"time_zone", func(s *CalendarSpec) { s.TimeZone = "Local" }},
		{"time_zone", func(s *CalendarSpec) { s.TimeZone = "" }},
		{"weekly", func(s *CalendarSpec) { s.Weekly = nil }},
		{"weekly", func(s *CalendarSpec) { s.Weekly[9] = []Interval{{"09:00", "10:00"}} }},
		{"weekly.monday[1]", func(s *CalendarSpec) {
			s.Weekly[time.Monday] = []Interval{{"09:00", "12:00"}, {"11:00", "13:00"}}
		}},
		{"weekly.tuesday[0]", func(s *CalendarSpec) { s.Weekly[time.Tuesday] = []Interval{{"17:00", "09:00"}} }},
		{"weekly.monday[0].open", func(s *CalendarSpec) { s.Weekly[time.Monday] = []Interval{{"9:00", "17:00"}} }},
		{"weekly.monday[0].open", func(s *CalendarSpec) { s.Weekly[time.Monday] = []Interval{{"24:00", "24:00"}} }},
		{"weekly.monday[0].close", func(s *CalendarSpec) { s.Weekly[time.Monday] = []Interval{{"09:00", "25:00"}} }},
		{"weekly.friday[0].close", func(s *CalendarSpec) { s.Weekly[time.Friday] = []Interval{{"09:00", "17:60"}} }},
		{"national_holidays", func(s *CalendarSpec) { s.NationalHolidays = "us" }},
		{"holidays[1]", func(s *CalendarSpec) { s.Holidays = []string{"2026-12-24", "2026-02-30"} }},
		{"holidays[0]", func(s *CalendarSpec) { s.Holidays = []string{"24/12/2026"} }},
		{"annual_closures[0].from", func(s *CalendarSpec) { s.AnnualClosures = []Closure{{"13-01", "01-03"}} }},
		{"annual_closures[0].to", func(s *CalendarSpec) { s.AnnualClosures = []Closure{{"12-29", "02-30"}} }},
		{"annual_closures", func(s *CalendarSpec) { s.AnnualClosures = []Closure{{"01-02", "01-01"}} }},
	}
	for _, tt := range tests {
		s := ok()
		tt.edit(&s)
		_, err := Compile(s)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("want a FieldError on %s, got %v", tt.field, err)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v does not wrap ErrInvalid", err)
		}
	}
	// Accepted edge cases.
	s := ok()
	s.Weekly[time.Saturday] = []Interval{{"22:00", "24:00"}, {"09:00", "12:00"}, {"12:00", "13:00"}}
	s.Holidays = []string{"2026-12-24"}
	s.AnnualClosures = []Closure{{"02-29", "03-01"}}
	if _, err := Compile(s); err != nil {
		t.Errorf("valid spec rejected: %v", err)
	}
}

func TestCompiledCalendarIsIsolatedFromItsSpec(t *testing.T) {
	spec := DefaultCalendars()[0]
	cal := mustCompile(t, spec)
	spec.Weekly[time.Monday][0].Open = "00:00"
	got := cal.Spec()
	if got.Weekly[time.Monday][0].Open != "09:00" {
		t.Error("changing the spec after Compile changed the calendar")
	}
	if cal.Name() != "jp-business" || cal.Location().String() != "Asia/Tokyo" {
		t.Errorf("Name/Location = %s/%s", cal.Name(), cal.Location())
	}
	if w, ok := ParseWeekday("monday"); !ok || w != time.Monday || WeekdayName(time.Sunday) != "sunday" {
		t.Error("weekday names")
	}
}

func TestExtraHolidays(t *testing.T) {
	spec := DefaultCalendars()[0]
	spec.Holidays = []string{"2026-12-24"}
	cal := mustCompile(t, spec)
	// Wed 12-23 16:00: 1h30 that day, 12-24 closed, Fri 12-25 09:00 + 7h.
	if got, want := cal.AddOpen(jst(2026, 12, 23, 16, 0), bd), jst(2026, 12, 25, 16, 0); !got.Equal(want) {
		t.Errorf("AddOpen over an extra holiday = %v, want %v", got, want)
	}
}

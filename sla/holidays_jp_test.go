package sla

import (
	"testing"
	"time"
)

// The expected lists below are the Cabinet Office's published holidays,
// written out by hand.
func TestJapaneseHolidaysFullYears(t *testing.T) {
	want := map[int][]string{
		2025: {"01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04", "05-05",
			"05-06", "07-21", "08-11", "09-15", "09-23", "10-13", "11-03", "11-23", "11-24"},
		2026: {"01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
			"07-20", "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23"},
		2019: {"01-01", "01-14", "02-11", "03-21", "04-29", "04-30", "05-01", "05-02", "05-03", "05-04",
			"05-05", "05-06", "07-15", "08-11", "08-12", "09-16", "09-23", "10-14", "10-22", "11-03",
			"11-04", "11-23"},
		2020: {"01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04", "05-05",
			"05-06", "07-23", "07-24", "08-10", "09-21", "09-22", "11-03", "11-23"},
	}
	for y, days := range want {
		got := jpHolidays(y)
		var gotS []string
		for _, h := range got {
			_, m, d := h.day.date()
			gotS = append(gotS, time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("01-02"))
		}
		if len(gotS) != len(days) {
			t.Errorf("%d: got %v, want %v", y, gotS, days)
			continue
		}
		for i := range days {
			if gotS[i] != days[i] {
				t.Errorf("%d: got %v, want %v", y, gotS, days)
				break
			}
		}
	}
}

func TestJapaneseHolidayDates(t *testing.T) {
	cal := jpBusiness(t)
	tests := []struct {
		date   string
		closed bool
		name   string
	}{
		{"2025-05-06", true, nameSubstitute},            // みどりの日 5/4 on Sunday, 5/5 is a holiday
		{"2026-05-06", true, nameSubstitute},            // 憲法記念日 5/3 on Sunday, 5/4 and 5/5 holidays
		{"2026-09-22", true, nameCitizens},              // between 敬老の日 9/21 and 秋分の日 9/23
		{"2032-09-21", true, nameCitizens},              // 敬老の日 9/20, 秋分の日 9/22
		{"2015-09-22", true, nameCitizens},              // 敬老の日 9/21, 秋分の日 9/23
		{"2009-09-22", true, nameCitizens},              // 敬老の日 9/21, 秋分の日 9/23
		{"2024-02-12", true, nameSubstitute},            // 建国記念の日 on Sunday
		{"2019-05-01", true, "即位の日 (Enthronement Day)"}, // one-off
		{"2019-04-30", true, nameCitizens},
		{"2019-10-22", true, "即位礼正殿の儀 (Enthronement Ceremony)"},
		{"2027-03-22", true, nameSubstitute},             // 春分の日 3/21 on Sunday
		{"2027-01-11", true, "成人の日 (Coming of Age Day)"}, // second Monday
		{"2021-07-22", true, "海の日 (Marine Day)"},         // Olympic move
		{"2021-08-09", true, nameSubstitute},             // 山の日 moved to Sunday 8/8
		{"2018-12-24", true, nameSubstitute},             // last 12-23 天皇誕生日 on a Sunday
		{"2019-12-23", false, ""},                        // no emperor's birthday in 2019
		{"2006-05-04", true, nameCitizens},               // before みどりの日 moved to 5/4
		{"2050-03-20", true, "春分の日 (Vernal Equinox Day)"},
		{"2050-09-23", true, "秋分の日 (Autumnal Equinox Day)"},
		{"2049-09-21", true, nameCitizens}, // 敬老の日 9/20, 秋分の日 9/22
		{"2026-07-21", false, ""},
		{"2026-12-28", false, ""},
		{"2026-12-29", true, "annual closure 12-29 – 01-03"},
		{"2027-01-01", true, "annual closure 12-29 – 01-03"}, // closure wins over 元日 for one merged range
		{"2027-01-04", false, ""},
		{"2130-01-01", true, "annual closure 12-29 – 01-03"},     // outside the table: slow path
		{"2130-02-11", true, "建国記念の日 (National Foundation Day)"}, // outside the table: slow path
		{"1985-02-11", true, "建国記念の日 (National Foundation Day)"},
	}
	for _, tt := range tests {
		d, _ := time.Parse(time.DateOnly, tt.date)
		n := dayOf(d.Date())
		if got := cal.isClosed(n); got != tt.closed {
			t.Errorf("%s: closed = %v, want %v", tt.date, got, tt.closed)
		}
		if tt.closed {
			if name, _ := cal.closedSlow(n); name != tt.name {
				t.Errorf("%s: reason %q, want %q", tt.date, name, tt.name)
			}
		}
	}
}

// The table and the rules must agree on every day they both cover.
func TestClosedTableMatchesRules(t *testing.T) {
	cal := jpBusiness(t)
	for n := tableFrom; n < tableTo; n++ {
		note, slow := cal.closedSlow(n)
		if cal.isClosed(n) != slow || cal.closedReason(n) != note && slow {
			y, m, d := n.date()
			t.Fatalf("%d-%02d-%02d: table and rules disagree", y, m, d)
		}
	}
}

func TestCivilDays(t *testing.T) {
	for _, tt := range []struct {
		y int
		m time.Month
		d int
	}{{1970, 1, 1}, {2000, 2, 29}, {1969, 12, 31}, {2026, 11, 20}, {2100, 3, 1}, {1600, 1, 1}} {
		n := dayOf(tt.y, tt.m, tt.d)
		want := time.Date(tt.y, tt.m, tt.d, 0, 0, 0, 0, time.UTC)
		if int64(n) != want.Unix()/86400 && want.Unix() >= 0 {
			t.Errorf("dayOf(%v) = %d", want, n)
		}
		if y, m, d := n.date(); y != tt.y || m != tt.m || d != tt.d {
			t.Errorf("date(%d) = %d-%d-%d, want %v", n, y, m, d, want)
		}
		if n.weekday() != want.Weekday() {
			t.Errorf("weekday(%v) = %v", want, n.weekday())
		}
	}
}

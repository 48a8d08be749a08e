package sla

import (
	"sort"
	"strconv"
	"time"
)

// CalendarSpec is a business calendar as data (PUT /v1/calendars/{name}).
// Compile turns it into a *Calendar.
type CalendarSpec struct {
	// Name identifies the calendar in policy cells, e.g. "jp-business".
	// "24x7" is reserved for the built-in round-the-clock clock.
	Name string
	// TimeZone is an IANA zone name such as "Asia/Tokyo". Opening hours are
	// local wall-clock times in this zone, so they survive daylight saving.
	TimeZone string
	// Weekly lists the open intervals of each weekday; a missing or empty
	// weekday is closed. Several intervals a day express a lunch break.
	Weekly map[time.Weekday][]Interval
	// NationalHolidays is "jp" to close on Japanese national holidays
	// (including substitute and citizens' holidays), or "" for none.
	NationalHolidays string
	// Holidays are extra closed dates, "2006-01-02", in the calendar's zone.
	Holidays []string
	// AnnualClosures are closed ranges that repeat every year.
	AnnualClosures []Closure
}

// Interval is one opening of a day in local wall-clock time, "HH:MM".
// Close is after Open and may be "24:00" (midnight at the end of the day);
// an opening across midnight is written as two intervals on two weekdays.
type Interval struct {
	Open  string
	Close string
}

// Closure is an annual closed range, both ends inclusive, as "MM-DD".
// From after To wraps the year end ("12-29" to "01-03").
type Closure struct {
	From string
	To   string
}

// weekdayNames are the JSON keys of CalendarSpec.Weekly (SPEC §5).
var weekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// WeekdayName returns the lower-case English name used as the JSON key of a
// weekday in a calendar ("monday").
func WeekdayName(w time.Weekday) string {
	if w < time.Sunday || w > time.Saturday {
		return ""
	}
	return weekdayNames[w]
}

// ParseWeekday is the inverse of WeekdayName; ok is false for any other text.
func ParseWeekday(s string) (w time.Weekday, ok bool) {
	for i, n := range weekdayNames {
		if n == s {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// span is a parsed Interval in minutes after local midnight.
type span struct{ open, close int }

// closure is a parsed Closure as month*100+day numbers.
type closure struct {
	from, to int
	note     string
}

func (c closure) covers(m time.Month, d int) bool {
	md := int(m)*100 + d
	if c.from <= c.to {
		return c.from <= md && md <= c.to
	}
	return md >= c.from || md <= c.to
}

// Compile validates spec and prepares it for planning: it loads the zone,
// parses the hours and dates, and precomputes the closed days of the years
// planning can reach (about 90 KB per calendar, a few milliseconds). Errors
// are *FieldError (wrapping ErrInvalid) naming the offending field: "name"
// (empty or "24x7"), "time_zone" (empty, "Local" or unknown), "weekly" (no
// opening hours, or an invalid weekday), "weekly.monday[1]" (closes before
// it opens, or overlaps another interval), "weekly.monday[1].open" and
// ".close" (not HH:MM), "national_holidays" (not "jp" or ""), "holidays[0]"
// (not YYYY-MM-DD), "annual_closures[0].from" and ".to" (not MM-DD), and
// "annual_closures" or "holidays" when they leave no open day for more
// than a year.
func Compile(spec CalendarSpec) (*Calendar, error) {
	if spec.Name == "" {
		return nil, fieldErr("name", "is required")
	}
	if spec.Name == Clock24x7 {
		return nil, fieldErr("name", `"24x7" is the built-in round-the-clock clock`)
	}
	// "Local" and "" would make results depend on the process's TZ.
	if spec.TimeZone == "" || spec.TimeZone == "Local" {
		return nil, fieldErr("time_zone", "an IANA zone name such as Asia/Tokyo is required")
	}
	loc, err := time.LoadLocation(spec.TimeZone)
	if err != nil {
		return nil, fieldErr("time_zone", "unknown time zone "+strconv.Quote(spec.TimeZone))
	}
	c := &Calendar{name: spec.Name, loc: loc, spec: cloneSpec(spec)}
	any := false
	for w := range spec.Weekly {
		if w < time.Sunday || w > time.Saturday {
			return nil, fieldErr("weekly", "unknown weekday "+strconv.Itoa(int(w)))
		}
	}
	for _, w := range []time.Weekday{1, 2, 3, 4, 5, 6, 0} {
		spans, err := parseDay(w, spec.Weekly[w])
		if err != nil {
			return nil, err
		}
		c.week[w] = spans
		any = any || len(spans) > 0
	}
	if !any {
		return nil, fieldErr("weekly", "has no opening hours")
	}
	c.dayLen = businessDayLength(c.week)

	switch spec.NationalHolidays {
	case "":
	case "jp":
		c.jp = true
	default:
		return nil, fieldErr("national_holidays", `must be "jp" or empty`)
	}
	// Bounds that keep compiled calendars small; real ones are far below.
	if len(spec.Holidays) > 10000 {
		return nil, fieldErr("holidays", "at most 10000 dates")
	}
	if len(spec.AnnualClosures) > 366 {
		return nil, fieldErr("annual_closures", "at most 366 ranges")
	}
	c.extra = make(map[day]bool, len(spec.Holidays))
	for i, s := range spec.Holidays {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fieldErr("holidays["+strconv.Itoa(i)+"]", "must be a date YYYY-MM-DD")
		}
		c.extra[dayOf(t.Date())] = true
	}
	for i, cl := range spec.AnnualClosures {
		f := "annual_closures[" + strconv.Itoa(i) + "]"
		from, ok := parseMonthDay(cl.From)
		if !ok {
			return nil, fieldErr(f+".from", "must be a date MM-DD")
		}
		to, ok := parseMonthDay(cl.To)
		if !ok {
			return nil, fieldErr(f+".to", "must be a date MM-DD")
		}
		c.closures = append(c.closures, closure{from, to, "annual closure " + cl.From + " – " + cl.To})
	}
	c.fillClosedTable()
	if field, ok := c.neverOpen(); ok {
		return nil, fieldErr(field, "leaves the calendar without an open day for over a year")
	}
	return c, nil
}

// parseDay parses and checks the intervals of one weekday.
func parseDay(w time.Weekday, ivs []Interval) ([]span, error) {
	if len(ivs) == 0 {
		return nil, nil
	}
	spans := make([]span, len(ivs))
	for i, iv := range ivs {
		f := "weekly." + weekdayNames[w] + "[" + strconv.Itoa(i) + "]"
		o, ok := parseClock(iv.Open, false)
		if !ok {
			return nil, fieldErr(f+".open", "must be a time HH:MM")
		}
		c, ok := parseClock(iv.Close, true)
		if !ok {
			return nil, fieldErr(f+".close", "must be a time HH:MM (24:00 allowed)")
		}
		if c <= o {
			return nil, fieldErr(f, "closes before it opens")
		}
		spans[i] = span{o, c}
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return spans[order[a]].open < spans[order[b]].open })
	sorted := make([]span, len(spans))
	for k, i := range order {
		sorted[k] = spans[i]
		if k > 0 && spans[i].open < sorted[k-1].close {
			f := "weekly." + weekdayNames[w] + "[" + strconv.Itoa(i) + "]"
			return nil, fieldErr(f, "overlaps another interval of the same day")
		}
	}
	return sorted, nil
}

// parseClock parses "HH:MM" into minutes after midnight; "24:00" only if
// allow24.
func parseClock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '-' || s[0] == '+' || s[3] == '-' || s[3] == '+' {
		return 0, false
	}
	if h == 24 && m == 0 && allow24 {
		return 24 * 60, true
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// parseMonthDay parses "MM-DD" (02-29 allowed) into month*100+day.
func parseMonthDay(s string) (int, bool) {
	if len(s) != 5 || s[2] != '-' {
		return 0, false
	}
	m, err1 := strconv.Atoi(s[:2])
	d, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 {
		return 0, false
	}
	// 2000 is a leap year, so 02-29 is accepted.
	if d > time.Date(2000, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, false
	}
	return m*100 + d, true
}

// businessDayLength is the open time of "one full business day": the most
// common non-zero daily open length over the week, ties going to the longer
// one. For jp-business (five days of 09:00–17:30) it is 8h30m; a calendar
// with four 8-hour weekdays and a 4-hour Saturday also gets 8h.
func businessDayLength(week [7][]span) time.Duration {
	count := map[int]int{}
	best, bestN := 0, 0
	for _, spans := range week {
		total := 0
		for _, s := range spans {
			total += s.close - s.open
		}
		if total == 0 {
			continue
		}
		count[total]++
		if n := count[total]; n > bestN || (n == bestN && total > best) {
			best, bestN = total, n
		}
	}
	return time.Duration(best) * time.Minute
}

func cloneSpec(s CalendarSpec) CalendarSpec {
	out := s
	out.Weekly = make(map[time.Weekday][]Interval, len(s.Weekly))
	for w, ivs := range s.Weekly {
		out.Weekly[w] = append([]Interval(nil), ivs...)
	}
	out.Holidays = append([]string(nil), s.Holidays...)
	out.AnnualClosures = append([]Closure(nil), s.AnnualClosures...)
	return out
}

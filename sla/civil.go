package sla

import "time"

// A day is a civil date counted in days since 1970-01-01. Calendars index
// their closed days by it, which keeps the hot path free of maps and of
// time.Date calls for days that are skipped anyway.
type day int32

// dayOf returns the civil day number of (y, m, d); m and d must be valid.
// Algorithm from H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
func dayOf(y int, m time.Month, d int) day {
	mm := int(m)
	if mm <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (mm + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

// date is the inverse of dayOf.
func (n day) date() (int, time.Month, int) {
	z := int(n) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

// weekday of a day number; 1970-01-01 was a Thursday.
func (n day) weekday() time.Weekday {
	w := (int(n) + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// localDay returns the civil day of t in loc.
func localDay(t time.Time, loc *time.Location) day {
	y, m, d := t.In(loc).Date()
	return dayOf(y, m, d)
}

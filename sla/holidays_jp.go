package sla

// Japanese national holidays are computed from the rules of the 国民の祝日に関する法律
// (Act on National Holidays) rather than taken from a library: the maintained
// Go packages (github.com/holiday-jp/holiday_jp-go and similar) are not
// served by the module proxy this project can reach, and the rules are short,
// stable and fully testable. What is implemented:
//
//   - fixed and Happy-Monday holidays with the years each rule applied
//     (成人の日 and 体育の日 moved to Mondays in 2000, 海の日 and 敬老の日 in 2003,
//     山の日 from 2016, 天皇誕生日 on 12-23 until 2018 and on 02-23 from 2020);
//   - the vernal and autumnal equinox days by the standard formula, valid
//     1980–2099 (the Cabinet Office announces them a year ahead; the formula
//     has matched every announcement so far);
//   - one-off days: 2019-05-01 (即位の日), 2019-10-22 (即位礼正殿の儀), the
//     2020 and 2021 Olympic moves of 海の日, スポーツの日 and 山の日, and the
//     1989, 1990 and 1993 imperial ceremonies;
//   - 振替休日 (substitute holiday): a holiday on a Sunday moves the day off to
//     the next day that is not itself a holiday (from 2007; before, only to
//     the Monday);
//   - 国民の休日 (citizens' holiday): a non-holiday between two holidays.
//
// Coverage: exact for 2000–2099 under the law as it stands; earlier years
// back to 1989 follow the rules of their time. A future change of the law
// needs a change here (and a test for it).

import (
	"sort"
	"time"
)

// holiday is a named closed day.
type holiday struct {
	day  day
	name string
}

const (
	nameSubstitute = "振替休日 (substitute holiday)"
	nameCitizens   = "国民の休日 (citizens' holiday)"
)

// nthMonday returns the day of the n-th Monday of month m in year y.
func nthMonday(y int, m time.Month, n int) day {
	first := dayOf(y, m, 1)
	off := (int(time.Monday) - int(first.weekday()) + 7) % 7
	return first + day(off+7*(n-1))
}

// equinoxDays returns the day of month of the vernal (March) and autumnal
// (September) equinox days of year y by the formula for 1980–2099.
func equinoxDays(y int) (vernal, autumnal int) {
	dy := float64(y - 1980)
	leap := (y - 1980) / 4
	if y < 1980 {
		leap = -((1980 - y + 3) / 4)
	}
	return int(20.8431+0.242194*dy) - leap, int(23.2488+0.242194*dy) - leap
}

// jpStatutory returns the 国民の祝日 of year y (no substitute or citizens'
// holidays), unsorted.
func jpStatutory(y int) []holiday {
	d := func(m time.Month, dd int) day { return dayOf(y, m, dd) }
	hs := make([]holiday, 0, 20)
	add := func(n day, name string) { hs = append(hs, holiday{n, name}) }

	add(d(1, 1), "元日 (New Year's Day)")
	if y >= 2000 {
		add(nthMonday(y, 1, 2), "成人の日 (Coming of Age Day)")
	} else {
		add(d(1, 15), "成人の日 (Coming of Age Day)")
	}
	add(d(2, 11), "建国記念の日 (National Foundation Day)")
	if y >= 2020 {
		add(d(2, 23), "天皇誕生日 (Emperor's Birthday)")
	}
	v, a := equinoxDays(y)
	add(d(3, v), "春分の日 (Vernal Equinox Day)")
	if y >= 2007 {
		add(d(4, 29), "昭和の日 (Showa Day)")
	} else {
		add(d(4, 29), "みどりの日 (Greenery Day)")
	}
	add(d(5, 3), "憲法記念日 (Constitution Memorial Day)")
	if y >= 2007 {
		add(d(5, 4), "みどりの日 (Greenery Day)")
	}
	add(d(5, 5), "こどもの日 (Children's Day)")
	switch {
	case y == 2020:
		add(d(7, 23), "海の日 (Marine Day)")
	case y == 2021:
		add(d(7, 22), "海の日 (Marine Day)")
	case y >= 2003:
		add(nthMonday(y, 7, 3), "海の日 (Marine Day)")
	case y >= 1996:
		add(d(7, 20), "海の日 (Marine Day)")
	}
	switch {
	case y == 2020:
		add(d(8, 10), "山の日 (Mountain Day)")
	case y == 2021:
		add(d(8, 8), "山の日 (Mountain Day)")
	case y >= 2016:
		add(d(8, 11), "山の日 (Mountain Day)")
	}
	if y >= 2003 {
		add(nthMonday(y, 9, 3), "敬老の日 (Respect for the Aged Day)")
	} else {
		add(d(9, 15), "敬老の日 (Respect for the Aged Day)")
	}
	add(d(9, a), "秋分の日 (Autumnal Equinox Day)")
	switch {
	case y == 2020:
		add(d(7, 24), "スポーツの日 (Sports Day)")
	case y == 2021:
		add(d(7, 23), "スポーツの日 (Sports Day)")
	case y >= 2020:
		add(nthMonday(y, 10, 2), "スポーツの日 (Sports Day)")
	case y >= 2000:
		add(nthMonday(y, 10, 2), "体育の日 (Health and Sports Day)")
	default:
		add(d(10, 10), "体育の日 (Health and Sports Day)")
	}
	add(d(11, 3), "文化の日 (Culture Day)")
	add(d(11, 23), "勤労感謝の日 (Labour Thanksgiving Day)")
	if y >= 1989 && y <= 2018 {
		add(d(12, 23), "天皇誕生日 (Emperor's Birthday)")
	}
	switch y {
	case 1989:
		add(d(2, 24), "昭和天皇の大喪の礼 (State Funeral of Emperor Showa)")
	case 1990:
		add(d(11, 12), "即位礼正殿の儀 (Enthronement Ceremony)")
	case 1993:
		add(d(6, 9), "皇太子徳仁親王の結婚の儀 (Crown Prince's Wedding)")
	case 2019:
		add(d(5, 1), "即位の日 (Enthronement Day)")
		add(d(10, 22), "即位礼正殿の儀 (Enthronement Ceremony)")
	}
	return hs
}

// jpHolidays returns every national day off of year y, sorted by day:
// statutory holidays, substitute holidays and citizens' holidays.
func jpHolidays(y int) []holiday {
	hs := jpStatutory(y)
	isStatutory := make(map[day]bool, len(hs))
	for _, h := range hs {
		isStatutory[h.day] = true
	}
	var extra []holiday
	substitute := make(map[day]bool)
	for _, h := range hs {
		if h.day.weekday() != time.Sunday {
			continue
		}
		next := h.day + 1
		if y >= 2007 {
			for isStatutory[next] {
				next++
			}
		} else if isStatutory[next] {
			continue
		}
		substitute[next] = true
		extra = append(extra, holiday{next, nameSubstitute})
	}
	// A citizens' holiday is a day squeezed between two statutory holidays.
	// Before 2007 the law excluded Sundays and substitute holidays.
	for _, h := range hs {
		mid := h.day + 1
		if !isStatutory[mid+1] || isStatutory[mid] || substitute[mid] {
			continue
		}
		if y < 2007 && mid.weekday() == time.Sunday {
			continue
		}
		extra = append(extra, holiday{mid, nameCitizens})
	}
	hs = append(hs, extra...)
	sort.Slice(hs, func(i, j int) bool { return hs[i].day < hs[j].day })
	return hs
}

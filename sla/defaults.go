package sla

import "time"

// JPBusiness is the name of the default business calendar.
const JPBusiness = "jp-business"

// DefaultCalendars returns the calendars every installation starts with:
// jp-business, Asia/Tokyo, Monday–Friday 09:00–17:30, closed on Japanese
// national holidays and from 29 December to 3 January (SPEC §2).
func DefaultCalendars() []CalendarSpec {
	weekly := make(map[time.Weekday][]Interval, 5)
	for w := time.Monday; w <= time.Friday; w++ {
		weekly[w] = []Interval{{Open: "09:00", Close: "17:30"}}
	}
	return []CalendarSpec{{
		Name:             JPBusiness,
		TimeZone:         "Asia/Tokyo",
		Weekly:           weekly,
		NationalHolidays: "jp",
		AnnualClosures:   []Closure{{From: "12-29", To: "01-03"}},
	}}
}

// DefaultPolicies returns the seed-003 matrix of SPEC §2, version 1 of each
// tier, with every (severity, target) cell present. Standard severity 1 runs
// on 24x7 and standard severities 2–4 on jp-business ("every business day"
// and "1 business day" are one business day); premium and platinum run 24x7
// throughout. "daily" is 24h, "1 week" 168h, "as needed" and "—" are None.
func DefaultPolicies() []Policy {
	const h = time.Hour
	dur := func(sev int, t Target, d time.Duration, clock string) Cell {
		return Cell{Severity: sev, Target: t, Kind: Duration, Duration: d, Clock: clock, Warnings: DefaultWarnings(t)}
	}
	bd := func(sev int, t Target) Cell {
		return Cell{Severity: sev, Target: t, Kind: BusinessDays, BusinessDays: 1, Clock: JPBusiness, Warnings: DefaultWarnings(t)}
	}
	none := func(sev int, t Target) Cell { return Cell{Severity: sev, Target: t, Kind: None} }
	req := func(sev int, t Target) Cell { return Cell{Severity: sev, Target: t, Kind: OnRequest} }
	jp, all := JPBusiness, Clock24x7

	standard := []Cell{
		dur(1, FirstResponse, 4*h, all), dur(1, UpdateCadence, 24*h, all),
		dur(1, SupportManager, 24*h, all), none(1, Executive),
		dur(2, FirstResponse, 8*h, jp), bd(2, UpdateCadence),
		req(2, SupportManager), none(2, Executive),
		bd(3, FirstResponse), none(3, UpdateCadence), none(3, SupportManager), none(3, Executive),
		bd(4, FirstResponse), none(4, UpdateCadence), none(4, SupportManager), none(4, Executive),
	}
	premium := []Cell{
		dur(1, FirstResponse, 1*h, all), dur(1, UpdateCadence, 2*h, all),
		dur(1, SupportManager, 2*h, all), none(1, Executive),
		dur(2, FirstResponse, 2*h, all), dur(2, UpdateCadence, 24*h, all),
		dur(2, SupportManager, 72*h, all), none(2, Executive),
		dur(3, FirstResponse, 24*h, all), none(3, UpdateCadence),
		dur(3, SupportManager, 168*h, all), none(3, Executive),
		dur(4, FirstResponse, 24*h, all), none(4, UpdateCadence), none(4, SupportManager), none(4, Executive),
	}
	platinum := []Cell{
		dur(1, FirstResponse, 1*h, all), dur(1, UpdateCadence, 2*h, all),
		dur(1, SupportManager, 2*h, all), dur(1, Executive, 8*h, all),
		dur(2, FirstResponse, 2*h, all), dur(2, UpdateCadence, 24*h, all),
		dur(2, SupportManager, 72*h, all), req(2, Executive),
		dur(3, FirstResponse, 24*h, all), none(3, UpdateCadence),
		dur(3, SupportManager, 168*h, all), req(3, Executive),
		dur(4, FirstResponse, 24*h, all), none(4, UpdateCadence),
		dur(4, SupportManager, 168*h, all), req(4, Executive),
	}
	return []Policy{
		{Tier: Standard, Version: 1, Cells: standard},
		{Tier: Premium, Version: 1, Cells: premium},
		{Tier: Platinum, Version: 1, Cells: platinum},
	}
}

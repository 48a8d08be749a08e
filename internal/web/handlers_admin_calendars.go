package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

var weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

type calendarsData struct {
	Calendars []calendarSummary
}

type calendarSummary struct {
	catalog.Calendar
	Hours []dayHours
}

// dayHours is one weekday's opening hours as typed in the form: "09:00-12:00, 13:00-17:30".
type dayHours struct {
	Day   string
	Hours string
}

func hoursOf(cal catalog.Calendar) []dayHours {
	var out []dayHours
	for _, d := range weekdays {
		var parts []string
		for _, iv := range cal.Weekly[d] {
			parts = append(parts, iv.Open+"-"+iv.Close)
		}
		out = append(out, dayHours{Day: d, Hours: strings.Join(parts, ", ")})
	}
	return out
}

func (s *Server) adminCalendars(c *fiber.Ctx) error {
	if _, err := admin(c); err != nil {
		return err
	}
	cals, err := s.deps.Admin.Catalog.ListCalendars(c.UserContext())
	if err != nil {
		return err
	}
	d := calendarsData{}
	for _, cal := range cals {
		d.Calendars = append(d.Calendars, calendarSummary{Calendar: cal, Hours: hoursOf(cal)})
	}
	return s.show(c, fiber.StatusOK, "admin_calendars", s.page(c, "admin", "admin.calendars.title", d))
}

type calendarData struct {
	Name      string
	New       bool
	Form      calendarForm
	Month     time.Time
	Prev      string
	Next      string
	Weeks     [][]monthDay
	Weekdays  []string
	OpenTotal string
}

// calendarForm is the edit form: weekly hours per day, holidays one per line, closures "MM-DD MM-DD".
type calendarForm struct {
	TimeZone  string
	National  string
	Hours     []dayHours
	Holidays  string
	Closures  string
	BusinessD string
}

// monthDay is one cell of the month view: the day and how long the calendar is open on it.
type monthDay struct {
	Day    int
	InMon  bool
	Open   string // "8h30m", or "" when closed
	Closed bool
}

func formFromCalendar(cal catalog.Calendar) calendarForm {
	f := calendarForm{TimeZone: cal.TimeZone, National: cal.NationalHolidays, Hours: hoursOf(cal),
		Holidays: strings.Join(cal.Holidays, "\n"), BusinessD: cal.BusinessDay}
	var cl []string
	for _, x := range cal.AnnualClosures {
		cl = append(cl, x.From+" "+x.To)
	}
	f.Closures = strings.Join(cl, "\n")
	return f
}

// adminCalendar shows one calendar's month of open time (?month=YYYY-MM, default this month in
// the calendar's zone) and its edit form; an unknown name is a new calendar.
func (s *Server) adminCalendar(c *fiber.Ctx) error {
	if _, err := admin(c); err != nil {
		return err
	}
	name := c.Params("name")
	if n := c.Query("name"); name == "new" && n != "" {
		return c.Redirect("/admin/calendars/"+url.PathEscape(n), fiber.StatusSeeOther)
	}
	cals, err := s.deps.Admin.Catalog.ListCalendars(c.UserContext())
	if err != nil {
		return err
	}
	d := calendarData{Name: name, New: true, Weekdays: weekdays,
		Form: calendarForm{TimeZone: "Asia/Tokyo", National: "jp", Hours: hoursOf(catalog.Calendar{})}}
	for _, cal := range cals {
		if cal.Name == name {
			d.New, d.Form = false, formFromCalendar(cal)
			if err := s.monthView(c, &d, cal); err != nil {
				return err
			}
		}
	}
	return s.show(c, fiber.StatusOK, "admin_calendar", s.page(c, "admin", "admin.calendar.title", d))
}

func (s *Server) monthView(c *fiber.Ctx, d *calendarData, cal catalog.Calendar) error {
	spec, err := cal.ToSpec()
	if err != nil {
		return err
	}
	compiled, err := sla.Compile(spec)
	if err != nil {
		return err
	}
	loc := compiled.Location()
	now := s.deps.Clock.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if m, err := time.ParseInLocation("2006-01", c.Query("month"), loc); err == nil {
		first = m
	}
	d.Month = first
	d.Prev, d.Next = first.AddDate(0, -1, 0).Format("2006-01"), first.AddDate(0, 1, 0).Format("2006-01")
	// Weeks start on Monday; the grid shows whole weeks.
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	var total time.Duration
	for day := start; day.Before(first.AddDate(0, 1, 0)) || day.Weekday() != time.Monday; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Monday {
			d.Weeks = append(d.Weeks, nil)
		}
		open := compiled.OpenBetween(day, day.AddDate(0, 0, 1))
		md := monthDay{Day: day.Day(), InMon: day.Month() == first.Month(), Closed: open == 0}
		if open > 0 {
			md.Open = sla.FormatDuration(open)
		}
		if md.InMon {
			total += open
		}
		d.Weeks[len(d.Weeks)-1] = append(d.Weeks[len(d.Weeks)-1], md)
	}
	d.OpenTotal = sla.FormatDuration(total)
	return nil
}

// adminSaveCalendar stores a new version of the calendar from the form.
func (s *Server) adminSaveCalendar(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	name := c.Params("name")
	f := calendarForm{TimeZone: strings.TrimSpace(c.FormValue("time_zone")), National: c.FormValue("national_holidays"),
		Holidays: c.FormValue("holidays"), Closures: c.FormValue("closures")}
	cal := catalog.Calendar{Name: name, TimeZone: f.TimeZone, NationalHolidays: f.National, Weekly: map[string][]catalog.Interval{},
		Holidays: []string{}, AnnualClosures: []catalog.Closure{}}
	for _, day := range weekdays {
		h := strings.TrimSpace(c.FormValue("hours_" + day))
		f.Hours = append(f.Hours, dayHours{Day: day, Hours: h})
		for _, part := range strings.Split(h, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			open, close, ok := strings.Cut(part, "-")
			if !ok {
				err = apperr.InvalidField("weekly."+day, "write opening hours like 09:00-17:30, separated by commas")
				break
			}
			cal.Weekly[day] = append(cal.Weekly[day], catalog.Interval{Open: strings.TrimSpace(open), Close: strings.TrimSpace(close)})
		}
	}
	for _, line := range strings.Fields(f.Holidays) {
		cal.Holidays = append(cal.Holidays, line)
	}
	for _, line := range strings.Split(f.Closures, "\n") {
		parts := strings.Fields(line)
		if len(parts) == 0 {
			continue
		}
		if len(parts) != 2 {
			err = apperr.InvalidField("annual_closures", "write a closure as two dates MM-DD MM-DD on a line")
			break
		}
		cal.AnnualClosures = append(cal.AnnualClosures, catalog.Closure{From: parts[0], To: parts[1]})
	}
	if err == nil {
		if _, err = s.deps.Admin.Catalog.PutCalendar(c.UserContext(), a.ID, name, cal); err == nil {
			return c.Redirect("/admin/calendars/"+name+"?done=calendar_saved", fiber.StatusSeeOther)
		}
	}
	if err = asUserError(err); !isUserError(err) {
		return fmt.Errorf("save calendar: %w", err)
	}
	d := calendarData{Name: name, New: true, Weekdays: weekdays, Form: f}
	p := s.page(c, "admin", "admin.calendar.title", d)
	p.Error, p.Detail = errorKey(err)
	return s.show(c, fiber.StatusUnprocessableEntity, "admin_calendar", p)
}

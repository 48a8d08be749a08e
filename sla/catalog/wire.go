// Package catalog keeps the SLA policies and calendars in force: versioned rows in PostgreSQL,
// their JSON shapes (SPEC §5), and an in-memory cache of parsed, immutable versions, so planning
// reads no database beyond "which version is current".
package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/supportd/supportd/sla"
)

// Duration is a target length in JSON: a Go duration string ("1h", "90s") or a number of seconds
// (drills and tests give targets in seconds).
type Duration time.Duration

// UnmarshalJSON accepts "1h30m" or 5400.
func (d *Duration) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration like \"1h\" or a number of seconds, got %q", s)
		}
		*d = Duration(v)
		return nil
	}
	secs, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("want a duration like \"1h\" or a number of seconds, got %s", b)
	}
	*d = Duration(time.Duration(secs * float64(time.Second)))
	return nil
}

// MarshalJSON writes the Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Cell is a policy cell in JSON, as PUT /v1/policies/{tier} takes it and GET /v1/policies shows it.
// Exactly one of duration, business_days, on_request or none says what the target is.
type Cell struct {
	Severity     int       `json:"severity"`
	Target       string    `json:"target"`
	Kind         string    `json:"kind,omitempty"` // output only: duration, business_days, none, on_request
	Duration     *Duration `json:"duration,omitempty"`
	Seconds      *float64  `json:"seconds,omitempty"`
	BusinessDays int       `json:"business_days,omitempty"`
	Clock        string    `json:"clock,omitempty"`
	OnRequest    bool      `json:"on_request,omitempty"`
	None         bool      `json:"none,omitempty"`
	// Warnings are the warning points as fractions of the target (0.75: when 75 % of it is
	// used). Absent: the default of the target (sla.DefaultWarnings); [] for none.
	Warnings *[]float64 `json:"warnings,omitempty"`
}

var kindNames = map[sla.Kind]string{sla.Duration: "duration", sla.BusinessDays: "business_days", sla.None: "none", sla.OnRequest: "on_request"}

// ToCell converts a JSON cell; field names errors with prefix (e.g. "cells[2]").
// Errors: *sla.FieldError.
func (c Cell) ToCell(prefix string) (sla.Cell, error) {
	t, ok := sla.ParseTarget(c.Target)
	if !ok {
		return sla.Cell{}, &sla.FieldError{Field: prefix + ".target", Message: "must be first_response, update_cadence, support_manager, executive or remediation"}
	}
	out := sla.Cell{Severity: c.Severity, Target: t, Clock: c.Clock}
	given := 0
	if c.Duration != nil || c.Seconds != nil {
		given++
		out.Kind = sla.Duration
		if c.Duration != nil {
			out.Duration = time.Duration(*c.Duration)
		} else {
			out.Duration = time.Duration(*c.Seconds * float64(time.Second))
		}
		if out.Duration <= 0 {
			return sla.Cell{}, &sla.FieldError{Field: prefix + ".duration", Message: "must be positive"}
		}
	}
	if c.BusinessDays != 0 {
		given++
		out.Kind, out.BusinessDays = sla.BusinessDays, c.BusinessDays
		if c.BusinessDays < 0 {
			return sla.Cell{}, &sla.FieldError{Field: prefix + ".business_days", Message: "must be positive"}
		}
	}
	if c.OnRequest {
		given++
		out.Kind, out.Clock = sla.OnRequest, ""
	}
	if c.None {
		given++
		out.Kind, out.Clock = sla.None, ""
	}
	if given != 1 {
		return sla.Cell{}, &sla.FieldError{Field: prefix, Message: "give exactly one of duration (or seconds), business_days, on_request, none"}
	}
	if out.Kind.Timed() && out.Clock == "" {
		out.Clock = sla.Clock24x7
	}
	switch {
	case c.Warnings != nil:
		out.Warnings = make([]int, len(*c.Warnings))
		for i, f := range *c.Warnings {
			p := math.Round(f * 1000)
			if math.Abs(f*1000-p) > 1e-6 || math.IsNaN(f) {
				return sla.Cell{}, &sla.FieldError{Field: prefix + ".warnings[" + strconv.Itoa(i) + "]", Message: "must be a fraction in thousandths (e.g. 0.75)"}
			}
			out.Warnings[i] = int(p)
		}
	case out.Kind.Timed():
		out.Warnings = sla.DefaultWarnings(out.Target)
	}
	return out, nil
}

// FromCell converts a policy cell to JSON.
func FromCell(c sla.Cell) Cell {
	out := Cell{Severity: c.Severity, Target: string(c.Target), Kind: kindNames[c.Kind], Clock: c.Clock}
	switch c.Kind {
	case sla.Duration:
		d := Duration(c.Duration)
		secs := c.Duration.Seconds()
		out.Duration, out.Seconds = &d, &secs
	case sla.BusinessDays:
		out.BusinessDays = c.BusinessDays
	case sla.OnRequest:
		out.OnRequest = true
	case sla.None:
		out.None = true
	}
	if c.Kind.Timed() {
		ws := make([]float64, len(c.Warnings))
		for i, p := range c.Warnings {
			ws[i] = float64(p) / 1000
		}
		out.Warnings = &ws
	}
	return out
}

// PolicyVersion is one stored version of a tier's policy as it is edited and shown: its cells in
// editable form and when it was made (sla.Policy is the same version ready for planning).
type PolicyVersion struct {
	Tier      string
	Version   int
	Cells     []Cell
	CreatedAt time.Time
}

// FromPolicy turns a plannable policy into its editable version.
func FromPolicy(p sla.Policy, createdAt time.Time) PolicyVersion {
	out := PolicyVersion{Tier: string(p.Tier), Version: p.Version, Cells: make([]Cell, len(p.Cells)), CreatedAt: createdAt}
	for i, c := range p.Cells {
		out.Cells[i] = FromCell(c)
	}
	return out
}

// Interval is one opening in JSON.
type Interval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// Closure is an annual closure in JSON.
type Closure struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Calendar is a calendar in JSON (PUT /v1/calendars/{name}).
type Calendar struct {
	Name             string                `json:"name"`
	Version          int                   `json:"version,omitempty"`
	TimeZone         string                `json:"time_zone"`
	Weekly           map[string][]Interval `json:"weekly"`
	NationalHolidays string                `json:"national_holidays,omitempty"`
	Holidays         []string              `json:"holidays"`
	AnnualClosures   []Closure             `json:"annual_closures"`
	BusinessDay      string                `json:"business_day,omitempty"` // output: one business day's length
	CreatedAt        time.Time             `json:"created_at,omitzero"`
}

// ToSpec converts a JSON calendar.
// Errors: *sla.FieldError for an unknown weekday key.
func (c Calendar) ToSpec() (sla.CalendarSpec, error) {
	spec := sla.CalendarSpec{Name: c.Name, TimeZone: c.TimeZone, Weekly: map[time.Weekday][]sla.Interval{},
		NationalHolidays: c.NationalHolidays, Holidays: c.Holidays}
	for day, ivs := range c.Weekly {
		w, ok := sla.ParseWeekday(day)
		if !ok {
			return spec, &sla.FieldError{Field: "weekly." + day, Message: "is not a weekday (monday … sunday)"}
		}
		for _, iv := range ivs {
			spec.Weekly[w] = append(spec.Weekly[w], sla.Interval{Open: iv.Open, Close: iv.Close})
		}
	}
	for _, cl := range c.AnnualClosures {
		spec.AnnualClosures = append(spec.AnnualClosures, sla.Closure{From: cl.From, To: cl.To})
	}
	return spec, nil
}

// FromSpec converts a calendar spec to JSON.
func FromSpec(s sla.CalendarSpec) Calendar {
	out := Calendar{Name: s.Name, TimeZone: s.TimeZone, Weekly: map[string][]Interval{}, NationalHolidays: s.NationalHolidays,
		Holidays: append([]string{}, s.Holidays...), AnnualClosures: []Closure{}}
	for w, ivs := range s.Weekly {
		for _, iv := range ivs {
			out.Weekly[sla.WeekdayName(w)] = append(out.Weekly[sla.WeekdayName(w)], Interval{Open: iv.Open, Close: iv.Close})
		}
	}
	for _, cl := range s.AnnualClosures {
		out.AnnualClosures = append(out.AnnualClosures, Closure{From: cl.From, To: cl.To})
	}
	return out
}

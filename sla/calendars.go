package sla

// Calendars is the set of compiled calendars a planner may use, by name.
// The 24x7 clock is built in and never listed. Build it once (NewCalendars)
// and do not write to it afterwards; reads are then safe for concurrent use.
type Calendars map[string]*Calendar

// NewCalendars returns a set holding cals; a later calendar of the same
// name replaces an earlier one.
func NewCalendars(cals ...*Calendar) Calendars {
	s := make(Calendars, len(cals))
	for _, c := range cals {
		s[c.name] = c
	}
	return s
}

// Has reports whether a clock name is usable: "24x7" or a calendar in the
// set. Pass it to Policy.Validate.
func (s Calendars) Has(name string) bool {
	if name == Clock24x7 {
		return true
	}
	_, ok := s[name]
	return ok
}

// clock resolves a cell's clock name: nil for 24x7, the calendar otherwise.
func (s Calendars) clock(name string) (*Calendar, bool) {
	if name == Clock24x7 {
		return nil, true
	}
	c, ok := s[name]
	return c, ok
}

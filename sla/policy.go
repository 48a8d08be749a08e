package sla

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// Cell is one entry of a policy matrix: how long Target may take for
// incidents of Severity, and on which clock.
type Cell struct {
	Severity int
	Target   Target
	Kind     Kind
	// Duration is the target length for Kind Duration; seconds are allowed
	// (drills and tests use e.g. 2s).
	Duration time.Duration
	// BusinessDays is the number of business days for Kind BusinessDays.
	BusinessDays int
	// Clock is Clock24x7 or the name of a calendar, e.g. "jp-business";
	// empty for None and OnRequest.
	Clock string
	// Warnings are the warning points in thousandths of the target, increasing (750: when
	// 75 % of the time is used). Empty: no warnings. Only timed cells have them.
	Warnings []int
}

// Equal reports whether two cells plan alike (Cell holds a slice, so == does not compile).
func (c Cell) Equal(d Cell) bool {
	return c.Severity == d.Severity && c.Target == d.Target && c.Kind == d.Kind && c.Duration == d.Duration &&
		c.BusinessDays == d.BusinessDays && c.Clock == d.Clock && slices.Equal(c.Warnings, d.Warnings)
}

// Policy is the matrix of one tier. Version identifies the edit an incident
// was planned with; assigning versions is the store's job (an incident keeps
// the version it was planned with, so editing a policy never rewrites the
// past).
type Policy struct {
	Tier    Tier
	Version int
	Cells   []Cell
}

// Cell returns the cell for (severity, t). A missing cell means no target.
func (p Policy) Cell(severity int, t Target) (Cell, bool) {
	for _, c := range p.Cells {
		if c.Severity == severity && c.Target == t {
			return c, true
		}
	}
	return Cell{}, false
}

// Merge returns a copy of p in which each given cell replaces the cell with
// the same severity and target, and cells not given keep their current
// value (PUT /v1/policies/{tier}). The result is sorted by severity and
// target; Version is left unchanged for the store to bump. Validate the
// result, not the input.
func (p Policy) Merge(cells []Cell) Policy {
	out := Policy{Tier: p.Tier, Version: p.Version, Cells: append([]Cell(nil), p.Cells...)}
	for _, c := range cells {
		replaced := false
		for i := range out.Cells {
			if out.Cells[i].Severity == c.Severity && out.Cells[i].Target == c.Target {
				out.Cells[i], replaced = c, true
			}
		}
		if !replaced {
			out.Cells = append(out.Cells, c)
		}
	}
	sort.SliceStable(out.Cells, func(i, j int) bool {
		a, b := out.Cells[i], out.Cells[j]
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		return targetOrder(a.Target) < targetOrder(b.Target)
	})
	return out
}

// targetOrder is the index of t in policyTargets, or len(policyTargets).
func targetOrder(t Target) int {
	switch t {
	case FirstResponse:
		return 0
	case UpdateCadence:
		return 1
	case SupportManager:
		return 2
	case Executive:
		return 3
	}
	return len(policyTargets)
}

// Limits on a cell's length. They keep calendar arithmetic far from
// overflow and planning fast; no support target runs longer than a year.
const (
	MaxDuration     = 366 * 24 * time.Hour
	MaxBusinessDays = 260
)

// Validate checks the policy and returns the first problem as a
// *FieldError (wrapping ErrInvalid), naming the field:
//
//   - "tier": not standard, premium or platinum;
//   - "cells[i]": the same severity and target as an earlier cell;
//   - "cells[i].severity": not 1–4;
//   - "cells[i].target": unknown, or remediation (no policy sets it);
//   - "cells[i].kind": unknown kind;
//   - "cells[i].duration": zero, negative, over MaxDuration, or given for
//     a kind without a timer;
//   - "cells[i].business_days": not 1–MaxBusinessDays, or given for
//     another kind;
//   - "cells[i].warnings", "cells[i].warnings[j]": more than MaxWarnings, a
//     point not strictly between 0 and 1000 thousandths or not increasing, or
//     points on a cell without a timer;
//   - "cells[i].clock": missing, an unknown calendar, or business days on
//     the 24x7 clock.
//
// knownCalendar says whether a calendar name exists (Calendars.Has fits);
// nil knows none, so only "24x7" is valid. Cells left out of a policy mean
// "no target".
func (p Policy) Validate(knownCalendar func(name string) bool) error {
	if _, err := ParseTier(string(p.Tier)); err != nil {
		return err
	}
	seen := make(map[[2]string]int, len(p.Cells))
	for i, c := range p.Cells {
		f := "cells[" + strconv.Itoa(i) + "]"
		if c.Severity < 1 || c.Severity > 4 {
			return fieldErr(f+".severity", "must be 1, 2, 3 or 4")
		}
		if targetOrder(c.Target) == len(policyTargets) {
			return fieldErr(f+".target", "must be first_response, update_cadence, support_manager or executive")
		}
		key := [2]string{strconv.Itoa(c.Severity), string(c.Target)}
		if j, dup := seen[key]; dup {
			return fieldErr(f, "repeats cells["+strconv.Itoa(j)+"] (same severity and target)")
		}
		seen[key] = i
		if err := c.validateKind(f, knownCalendar); err != nil {
			return err
		}
	}
	return nil
}

func (c Cell) validateKind(f string, knownCalendar func(string) bool) error {
	switch c.Kind {
	case Duration:
		if c.Duration <= 0 {
			return fieldErr(f+".duration", "must be positive")
		}
		if c.Duration > MaxDuration {
			return fieldErr(f+".duration", "must be at most "+FormatDuration(MaxDuration))
		}
		if c.BusinessDays != 0 {
			return fieldErr(f+".business_days", "cannot be combined with a duration")
		}
	case BusinessDays:
		if c.BusinessDays <= 0 {
			return fieldErr(f+".business_days", "must be positive")
		}
		if c.BusinessDays > MaxBusinessDays {
			return fieldErr(f+".business_days", "must be at most "+strconv.Itoa(MaxBusinessDays))
		}
		if c.Duration != 0 {
			return fieldErr(f+".duration", "cannot be combined with business days")
		}
		if c.Clock == Clock24x7 {
			return fieldErr(f+".clock", "business days need a business calendar, not 24x7")
		}
	case None, OnRequest:
		if len(c.Warnings) > 0 {
			return fieldErr(f+".warnings", "must be empty when the cell has no timer")
		}
		if c.Duration != 0 {
			return fieldErr(f+".duration", "must be empty when the cell has no timer")
		}
		if c.BusinessDays != 0 {
			return fieldErr(f+".business_days", "must be empty when the cell has no timer")
		}
		return nil
	default:
		return fieldErr(f+".kind", "must be duration, business_days, none or on_request")
	}
	if err := validateWarnings(f+".warnings", c.Warnings); err != nil {
		return err
	}
	switch {
	case c.Clock == "":
		return fieldErr(f+".clock", `is required ("24x7" or a calendar name)`)
	case c.Clock == Clock24x7:
	case knownCalendar == nil || !knownCalendar(c.Clock):
		return fieldErr(f+".clock", "unknown calendar "+strconv.Quote(c.Clock))
	}
	return nil
}

// length returns the cell's target as time on its clock; cal is the cell's
// calendar (nil on 24x7).
func (c Cell) length(cal *Calendar) time.Duration {
	if c.Kind == BusinessDays && cal != nil {
		return time.Duration(c.BusinessDays) * cal.dayLen
	}
	return c.Duration
}

package sla

import (
	"strconv"
	"time"
)

// Warning is a point before a deadline at which the people who can still prevent the breach
// are told (SPEC §3b): At is when Permille thousandths of the target's time have been used.
type Warning struct {
	// Permille is the warning point as thousandths of the target (750 for 75 %).
	Permille int
	// At is the instant the point is reached, on the target's own clock (open time on a
	// business calendar, pauses excluded).
	At time.Time
}

// DefaultWarnings are the warning points of a cell that names none: 75 % for first response,
// update cadence and remediation; none for escalations (a manager may ask for them per cell).
func DefaultWarnings(t Target) []int {
	if t.Level() > 0 {
		return nil
	}
	return []int{750}
}

// MaxWarnings is the most warning points a cell may name.
const MaxWarnings = 4

// validateWarnings checks a cell's points: 1–999 thousandths, increasing, at most MaxWarnings.
func validateWarnings(f string, ps []int) error {
	if len(ps) > MaxWarnings {
		return fieldErr(f, "at most "+strconv.Itoa(MaxWarnings)+" warning points")
	}
	for i, p := range ps {
		if p <= 0 || p >= 1000 {
			return fieldErr(f+"["+strconv.Itoa(i)+"]", "must be a fraction of the target between 0 and 1 (exclusive)")
		}
		if i > 0 && p <= ps[i-1] {
			return fieldErr(f+"["+strconv.Itoa(i)+"]", "must be greater than the point before it")
		}
	}
	return nil
}

// warnings returns the warning points still ahead on the running leg of t: a point whose
// threshold was passed in an earlier leg (before a pause) or an earlier plan is not repeated,
// so each point warns once per plan of the target. Points of the current leg that lie before
// now are kept: a timer for them may still be waiting to fire.
func (t *timer) warnings() []Warning {
	if !t.running || t.final() || len(t.cell.Warnings) == 0 {
		return nil
	}
	length := t.cell.length(t.cal)
	var out []Warning
	for _, p := range t.cell.Warnings {
		left := length - Part(length, p) // time left at the point
		need := t.left - left
		if need <= 0 {
			continue // reached before this leg started
		}
		scratch := t.pl.scratch[:0]
		at, _ := t.pl.count(t.cal, t.since, need, time.Time{}, &scratch)
		t.pl.scratch = scratch[:0]
		out = append(out, Warning{Permille: p, At: at})
	}
	return out
}

// remediationWarnings returns the default points of an agreed resolution time, counted in
// wall time from the agreement.
func remediationWarnings(agreed, due time.Time) []Warning {
	length := due.Sub(agreed)
	if length <= 0 {
		return nil
	}
	var out []Warning
	for _, p := range DefaultWarnings(Remediation) {
		out = append(out, Warning{Permille: p, At: agreed.Add(Part(length, p))})
	}
	return out
}

// Part is p thousandths of d, exactly and without overflow for any target length.
func Part(d time.Duration, p int) time.Duration {
	return d/1000*time.Duration(p) + d%1000*time.Duration(p)/1000
}

package replay

import (
	"time"

	"github.com/supportd/supportd/sla"
)

// Counts are the outcomes of a set of incidents under one policy: first responses met and
// breached, update-cadence cycles breached, and incidents escalated to each level.
type Counts struct {
	FirstResponseMet      int
	FirstResponseBreached int
	UpdateBreaches        int
	EscalatedLevel1       int
	EscalatedLevel2       int
}

// Outcome is what one incident's plan comes to, target by target.
type Outcome struct {
	FirstResponse sla.State // met, breached, pending, cancelled, or "" without a timer
	// UpdateBreaches counts the update-cadence cycles breached, every cycle of the history.
	UpdateBreaches int
	// Escalated[l] says escalation level l (1, 2) was reached, by its deadline or by hand.
	Escalated [3]bool
	Plan      sla.Result
	// reached[l]: level l's own target was reached (Escalated[l] also counts a higher level and
	// requests by hand, handLevel the highest of those).
	reached   [3]bool
	handLevel int
}

// with returns o with the outcomes of the targets ts taken from p (planned under a policy
// holding only their cells) and p's plan: only targets of ts can differ from o, so only their
// deadlines are ever listed as changes.
func (o Outcome) with(p Outcome, ts targets) Outcome {
	o.Plan = p.Plan
	if ts.has(sla.FirstResponse) {
		o.FirstResponse = p.FirstResponse
	}
	if ts.has(sla.UpdateCadence) {
		o.UpdateBreaches = p.UpdateBreaches
	}
	if ts.has(sla.SupportManager) {
		o.reached[1] = p.reached[1]
	}
	if ts.has(sla.Executive) {
		o.reached[2] = p.reached[2]
	}
	o.escalate()
	return o
}

// escalate sets Escalated from reached and handLevel.
func (o *Outcome) escalate() {
	o.Escalated[1] = o.reached[1] || o.reached[2] || o.handLevel >= 1
	o.Escalated[2] = o.reached[2] || o.handLevel >= 2
}

// escalatedState is the state the SLA recording gives a reached escalation target; the planner
// of this branch still calls it breached. Both count as escalated, never as a breach.
const escalatedState sla.State = "escalated"

// Reached reports whether an escalation deadline's level was reached (compared by target kind:
// for an escalation target "breached" means escalated).
func Reached(d sla.Deadline) bool {
	return d.Target.Level() > 0 && (d.State == sla.Breached || d.State == escalatedState)
}

// add counts o into c.
func (c *Counts) add(o Outcome) {
	switch o.FirstResponse {
	case sla.Met:
		c.FirstResponseMet++
	case sla.Breached:
		c.FirstResponseBreached++
	}
	c.UpdateBreaches += o.UpdateBreaches
	if o.Escalated[1] {
		c.EscalatedLevel1++
	}
	if o.Escalated[2] {
		c.EscalatedLevel2++
	}
}

// plus returns c with d added.
func (c Counts) plus(d Counts) Counts {
	return Counts{c.FirstResponseMet + d.FirstResponseMet, c.FirstResponseBreached + d.FirstResponseBreached,
		c.UpdateBreaches + d.UpdateBreaches, c.EscalatedLevel1 + d.EscalatedLevel1, c.EscalatedLevel2 + d.EscalatedLevel2}
}

// Evaluate plans in under p and cals as of now and reads its outcome. The update cadence's
// Deadline describes only the current cycle, so each earlier cycle is judged by planning the
// history up to the public update that ended it (the cycle was breached if it fell due before
// that update): an incident with n cycle-ending updates costs n+1 plans, the n of them of the
// update cadence alone.
func Evaluate(p sla.Policy, cals sla.Calendars, in sla.Incident, now time.Time) (Outcome, error) {
	return newEvaluator(p, cals).evaluate(in, now)
}

// evaluator evaluates incidents under one policy; it is immutable, so workers share it.
type evaluator struct {
	p    sla.Policy
	cals sla.Calendars
	// cadence is p's update cadence cells alone, without warning points: planning an earlier
	// cycle needs nothing else (a target's plan depends on its own cells and the events only),
	// and the other targets and the warnings would cost as much again.
	cadence sla.Policy
}

func newEvaluator(p sla.Policy, cals sla.Calendars) *evaluator {
	c := sla.Policy{Tier: p.Tier, Version: p.Version}
	for _, cell := range p.Cells {
		if cell.Target == sla.UpdateCadence {
			cell.Warnings = nil
			c.Cells = append(c.Cells, cell)
		}
	}
	return &evaluator{p: p, cals: cals, cadence: c}
}

// evaluate is Evaluate. Under a policy holding only some targets' cells, the outcome tells only
// of those targets (and escalations by hand).
func (ev *evaluator) evaluate(in sla.Incident, now time.Time) (Outcome, error) {
	res, err := sla.Plan(ev.p, ev.cals, in, now)
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{Plan: res}
	hasCadence := false
	for _, d := range res.Deadlines {
		switch {
		case d.Target == sla.FirstResponse:
			o.FirstResponse = d.State
		case d.Target == sla.UpdateCadence:
			hasCadence = true
			if d.State == sla.Breached {
				o.UpdateBreaches++
			}
		case Reached(d) && d.Level >= 1 && d.Level <= 2:
			o.reached[d.Level] = true
		}
	}
	// Escalations by hand (a customer's request) count even where the cell has no timer.
	for _, e := range in.Events {
		if e.Kind == sla.Escalated {
			o.handLevel = max(o.handLevel, min(e.Level, 2))
		}
	}
	o.escalate()
	if !hasCadence {
		return o, nil
	}
	events := sortedByTime(in.Events)
	acked, resolved := false, false
	for i, e := range events {
		switch e.Kind {
		case sla.Acknowledged:
			acked = true
		case sla.Resolved:
			resolved = true
		case sla.Reopened:
			resolved = false
		case sla.PublicUpdate:
			// A public update on an acknowledged, unresolved incident ends a cycle (and starts
			// the next): judge the ending cycle as of just before the update.
			if !acked || resolved {
				continue
			}
			before := in
			before.Events = events[:i]
			at := e.At
			if at.Before(in.AcceptedAt) {
				at = in.AcceptedAt
			}
			r, err := sla.Plan(ev.cadence, ev.cals, before, at.Add(-time.Nanosecond))
			if err != nil {
				return Outcome{}, err
			}
			if d, ok := r.Deadline(sla.UpdateCadence); ok && d.State == sla.Breached {
				o.UpdateBreaches++
			}
		}
	}
	return o, nil
}

// sortedByTime returns events in time order, ties in their order (as the planner applies them);
// the input is returned as is when already sorted.
func sortedByTime(ev []sla.Event) []sla.Event {
	sorted := true
	for i := 1; i < len(ev); i++ {
		if ev[i].At.Before(ev[i-1].At) {
			sorted = false
			break
		}
	}
	if sorted {
		return ev
	}
	out := append([]sla.Event(nil), ev...)
	// Insertion sort: histories are short and nearly sorted.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].At.Before(out[j-1].At); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// TargetChange is one target whose outcome differs between the recorded policy and the draft.
type TargetChange struct {
	Target sla.Target
	Before sla.Deadline // under the policy the incident was planned with
	After  sla.Deadline // under the draft (zero Target: no timer under the draft)
	// For update_cadence: the breached cycles before and after.
	UpdateBreachesBefore, UpdateBreachesAfter int
}

// Changes lists the targets whose outcome differs: first response met/breached/open, update
// cycles breached, an escalation level reached or not. Deadlines that move but keep their
// outcome are not changes.
func Changes(before, after Outcome) []TargetChange {
	var out []TargetChange
	get := func(r sla.Result, t sla.Target) sla.Deadline { d, _ := r.Deadline(t); return d }
	if before.FirstResponse != after.FirstResponse {
		out = append(out, TargetChange{Target: sla.FirstResponse, Before: get(before.Plan, sla.FirstResponse), After: get(after.Plan, sla.FirstResponse)})
	}
	if before.UpdateBreaches != after.UpdateBreaches {
		out = append(out, TargetChange{Target: sla.UpdateCadence, Before: get(before.Plan, sla.UpdateCadence), After: get(after.Plan, sla.UpdateCadence),
			UpdateBreachesBefore: before.UpdateBreaches, UpdateBreachesAfter: after.UpdateBreaches})
	}
	for l, t := range [...]sla.Target{1: sla.SupportManager, 2: sla.Executive} {
		if l > 0 && before.Escalated[l] != after.Escalated[l] {
			out = append(out, TargetChange{Target: t, Before: get(before.Plan, t), After: get(after.Plan, t)})
		}
	}
	return out
}

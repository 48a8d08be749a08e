package sla

import (
	"fmt"
	"time"
)

// hold says why a clock must not run, most decisive reason first.
type hold int

const (
	running hold = iota
	holdResolved
	holdScope
	holdWaiting
)

// timer plans one policy target across the event list. Its explanation is
// the tail of the planner's shared step buffer from base on: a new plan (a
// severity change, a new cadence cycle) truncates back to base, and a pause
// cuts the running leg's recorded segments at the pause.
type timer struct {
	pl       *planner
	target   Target
	base     int // first step of this target
	legStart int // first step of the current running leg

	cell    Cell
	cal     *Calendar // nil on 24x7
	sev     int
	planned bool // a timed cell applies (or applied) to the target
	dead    bool // cancelled because the current severity has no timer
	running bool
	since   time.Time
	left    time.Duration // time left at since (running) or now (stopped)
	due     time.Time     // while running; the due judged against once met or breached; else zero
	stopDue time.Time     // due when the clock stopped because of resolution

	met, breached     bool
	metAt, breachedAt time.Time

	escalated   bool // an escalation level reached: final, never breached
	escalatedAt time.Time
	cause       Cause
}

func (t *timer) final() bool { return t.met || t.breached || t.escalated }

// holdFor returns why the target's clock must stand still in s.
func (t *timer) holdFor(s *situation) hold {
	switch t.target {
	case FirstResponse:
		return running
	case UpdateCadence:
		switch {
		case s.resolved:
			return holdResolved
		case s.waiting:
			return holdWaiting
		}
	default: // escalations
		switch {
		case s.resolved:
			return holdResolved
		case s.outOfScope:
			return holdScope
		case s.waiting:
			return holdWaiting
		}
	}
	return running
}

// plan starts the target afresh at at under the severity of s. replan marks
// a severity change, whose earlier steps no longer explain anything.
func (t *timer) plan(at time.Time, s *situation, why reason, replan bool) {
	if t.final() {
		return
	}
	if lvl := t.target.Level(); lvl > 0 && s.reached >= lvl {
		return // an escalation level already reached is not planned again
	}
	cell, ok := t.pl.cell(s.severity, t.target)
	if !ok || !cell.Kind.Timed() {
		if t.planned && !t.dead {
			t.dead, t.running = true, false
			when := t.pl.at(at, t.cal)
			t.pl.steps = append(t.pl.steps, Step{Kind: StepReplan, From: when, Severity: s.severity},
				Step{Kind: StepCancelled, From: when, Note: "no timer for this target at this severity"})
		}
		return
	}
	cal, ok := t.pl.cals.clock(cell.Clock)
	if !ok {
		t.pl.err = fmt.Errorf("policy %s v%d, severity %d, %s: %w %q",
			t.pl.p.Tier, t.pl.p.Version, s.severity, t.target, ErrUnknownCalendar, cell.Clock)
		return
	}
	t.pl.steps = t.pl.steps[:t.base]
	if replan {
		t.pl.steps = append(t.pl.steps, Step{Kind: StepReplan, From: t.pl.at(at, cal), Severity: s.severity})
	}
	t.cell, t.cal, t.sev = cell, cal, s.severity
	t.planned, t.dead, t.running = true, false, false
	t.left = cell.length(cal)
	t.due, t.stopDue = time.Time{}, time.Time{}
	t.pl.steps = append(t.pl.steps, policyStep(t.pl.p.Tier, t.pl.p.Version, s.severity, t.target, t.left, cell.BusinessDays, cell.Clock,
		t.pl.at(at, cal), why))
	if h := t.holdFor(s); h != running {
		t.pl.steps = append(t.pl.steps, t.holdStep(at, h))
		return
	}
	t.run(at)
}

// newCycle starts a new update cadence cycle: the outcome of the previous
// one (met, or breached and reported when its timer fired) is left behind.
func (t *timer) newCycle(at time.Time, s *situation, why reason) {
	t.met, t.breached = false, false
	t.metAt, t.breachedAt = time.Time{}, time.Time{}
	t.plan(at, s, why, false)
}

// run starts a leg at at with t.left to go and records it up to the due
// time (the last segment, with nothing left, marks it).
func (t *timer) run(at time.Time) {
	t.running, t.since = true, at
	t.legStart = len(t.pl.steps)
	t.due, _ = t.pl.count(t.cal, at, t.left, time.Time{}, &t.pl.steps)
}

// stop halts a running leg at at. The leg's recorded segments already
// cover [since, due], so cutting them at at gives both the explanation and
// the time counted, without walking the calendar again.
func (t *timer) stop(at time.Time, h hold) {
	t.cut(at)
	if t.left <= 0 { // stopped exactly at the due time: the deadline passed
		t.fallDue()
		return
	}
	if h == holdResolved {
		t.stopDue = t.due
	}
	t.due = time.Time{}
	t.pl.steps = append(t.pl.steps, t.holdStep(at, h))
}

// cut ends a running leg at at, cutting its recorded segments there and taking the time counted
// off t.left; t.due is left for the caller to keep or clear.
func (t *timer) cut(at time.Time) {
	steps := t.pl.steps
	var counted time.Duration
	cut := len(steps)
	for i := t.legStart; i < len(steps); i++ {
		s := &steps[i]
		if !s.From.Before(at) {
			cut = i
			break
		}
		if s.To.After(at) {
			s.To = t.pl.at(at, t.cal)
			if s.Kind == StepOpen {
				s.Counted = at.Sub(s.From)
				counted += s.Counted
				s.Left = t.left - counted
			}
			cut = i + 1
			break
		}
		if s.Kind == StepOpen {
			counted += s.Counted
		}
	}
	t.pl.steps = steps[:cut]
	t.left -= counted
	t.running = false
}

func (t *timer) holdStep(at time.Time, h hold) Step {
	st := Step{From: t.pl.at(at, t.cal), Left: t.left}
	switch {
	case h == holdWaiting:
		st.Kind, st.Note = StepPause, "waiting on customer"
	case h == holdScope:
		st.Kind, st.Note = StepCancelled, "scope is not a product problem"
	case t.target == UpdateCadence:
		st.Kind, st.Note = StepCancelled, "incident resolved"
	default:
		st.Kind, st.Note = StepMet, "resolved before escalation"
	}
	return st
}

// sync starts or stops the clock after an event changed the situation.
func (t *timer) sync(at time.Time, s *situation, why EventKind) {
	if !t.planned || t.dead || t.final() {
		return
	}
	h := t.holdFor(s)
	switch {
	case t.running && h != running:
		t.stop(at, h)
	case !t.running && h == running:
		note := "resumed"
		switch why {
		case WaitEnded:
			note = "customer answered"
		case Reopened:
			note = "incident reopened"
		case ScopeChanged:
			note = "scope is a product problem again"
		}
		t.stopDue = time.Time{}
		t.pl.steps = append(t.pl.steps, Step{Kind: StepResume, From: t.pl.at(at, t.cal), Left: t.left, Note: note})
		t.run(at)
	}
}

// expire breaches a running timer whose due time is before at (or at at,
// when inclusive: the final check against now).
func (t *timer) expire(at time.Time, inclusive bool) {
	if t.running && (t.due.Before(at) || inclusive && t.due.Equal(at)) {
		t.running = false
		t.fallDue()
	}
}

// fallDue records what the due time passing means: an escalation level is
// reached, any other target is breached.
func (t *timer) fallDue() {
	if t.target.Level() > 0 {
		t.escalate(t.due, CauseDeadline)
		return
	}
	t.breach(t.due, "not met in time")
}

// escalate records that the target's escalation level was reached at at.
func (t *timer) escalate(at time.Time, cause Cause) {
	t.escalated, t.escalatedAt, t.cause = true, at, cause
	t.pl.steps = append(t.pl.steps, Step{Kind: StepEscalated, From: t.pl.at(at, t.cal), Note: string(cause)})
}

func (t *timer) breach(at time.Time, note string) {
	t.breached, t.breachedAt = true, at
	t.pl.steps = append(t.pl.steps, Step{Kind: StepBreached, From: t.pl.at(at, t.cal), Note: note})
}

// meet records that the target was met at at; after a breach it only notes
// how late.
func (t *timer) meet(at time.Time, note string) {
	switch {
	case !t.planned || t.dead:
	case t.breached:
		if t.metAt.IsZero() {
			t.metAt = at
			t.pl.steps = append(t.pl.steps, Step{Kind: StepMet, From: t.pl.at(at, t.cal), Note: note + ", late"})
		}
	case !t.met:
		t.met, t.metAt, t.running = true, at, false
		t.pl.steps = append(t.pl.steps, Step{Kind: StepMet, From: t.pl.at(at, t.cal), Note: note})
	}
}

// deadline reports the timer as of the end of planning; Plan attaches the
// explanation.
func (t *timer) deadline(s *situation) (Deadline, bool) {
	if !t.planned && !t.escalated {
		return Deadline{}, false
	}
	d := Deadline{
		Target: t.target, Level: t.target.Level(), Clock: t.cell.Clock, Severity: t.sev,
		PolicyVersion: t.pl.p.Version, MetAt: t.metAt, BreachedAt: t.breachedAt,
	}
	switch {
	case t.escalated:
		d.State, d.DueAt, d.EscalatedAt, d.Cause = StateEscalated, t.due, t.escalatedAt, t.cause
	case t.breached:
		d.State, d.DueAt = Breached, t.due
	case t.met:
		d.State, d.DueAt = Met, t.due
	case t.dead:
		d.State = Cancelled
	case t.running:
		d.State, d.DueAt = Pending, t.due
	default:
		d.Remaining = t.left
		switch t.holdFor(s) {
		case holdResolved:
			if t.target == UpdateCadence {
				d.State = Cancelled
			} else {
				d.State, d.MetAt, d.DueAt = Met, s.resolvedAt, t.stopDue
			}
		case holdScope:
			d.State = Cancelled
		default:
			d.State = Paused
		}
	}
	return d, true
}

package sla

import (
	"sort"
	"strconv"
	"sync"
	"time"
)

// Plan computes the deadlines of incident in under policy p, as of now. It
// is a pure function: the same inputs always give the same Result.
//
// Each target is planned from the incident's acceptance and the events,
// applied in time order:
//
//   - first_response runs from AcceptedAt; Acknowledged meets it. It is not
//     paused by waiting on the customer. Resolved meets it too if it is
//     still open (a resolution reaches the customer).
//   - update_cadence starts at the first Acknowledged; each PublicUpdate
//     ends the current cycle and starts the next with the full cadence. The
//     Deadline describes the current cycle only.
//   - support_manager (level 1) and executive (level 2) run from AcceptedAt.
//     Reaching the level is Escalated, never Breached, with EscalatedAt and
//     Cause: the due time passing (CauseDeadline, at the due time), an
//     Escalated event of that level (its Cause, at the event), or one of a
//     higher level (CauseHigherLevel, at the event), whichever came first.
//     A level reached by an event has a Deadline even when its cell has no
//     timer ("on request"). Resolving first is Met. A level once reached is
//     never planned again.
//   - remediation exists once RemediationAgreed names a time; it is an
//     absolute instant, so waiting does not move it. Resolving meets it.
//
// Waiting on the customer (WaitStarted–WaitEnded) pauses update_cadence and
// the escalations; they resume with the time that was left, measured on
// their own clock (open time on a business calendar). SeverityChanged
// re-plans every target that is neither met nor breached from the moment of
// the change under the new severity (a target the new severity lacks is
// Cancelled). ScopeChanged away from ScopeProduct cancels the escalations;
// back to ScopeProduct they resume with the time that was left.
//
// Resolved meets first_response, remediation and the running escalations,
// and cancels the cadence. Reopened restarts the cadence from the reopening
// (if the incident was acknowledged), puts remediation back to pending
// against its agreed time, and resumes the escalations with the time that
// was left, as if the resolved period had been a pause; it also ends any
// wait.
//
// A response, update or remediation target is Breached when its due time
// is before the event that would have met it, or not after now. Events may be unsorted; ties keep their
// order. Times in the result are in the zone of their clock: the calendar's
// zone, or AcceptedAt's zone for 24x7 and remediation (compare instants
// with Equal).
//
// Errors: a *FieldError (wrapping ErrInvalid) for an invalid incident or
// event ("tier", "severity", "accepted_at", "events[3].severity", …), and
// an error wrapping ErrUnknownCalendar when a cell names a calendar missing
// from cals.
func Plan(p Policy, cals Calendars, in Incident, now time.Time) (Result, error) {
	if err := checkIncident(p, in); err != nil {
		return Result{}, err
	}
	// The planner and its step buffer come from a pool: timers truncate and
	// rewrite their own runs of the buffer while planning, and the final
	// steps are copied once, at their exact size, into the result.
	pl := planners.Get().(*planner)
	*pl = planner{p: p, cals: cals, in: in, now: now, loc24: in.AcceptedAt.Location(), steps: pl.steps[:0], scratch: pl.scratch[:0]}
	defer pl.release()
	pl.indexCells()
	pl.events = sortedEvents(in.Events)
	var (
		found  [5]Deadline // the four policy targets and remediation
		ranges [len(found)][2]int
		n      int
	)
	for _, tg := range policyTargets {
		base := len(pl.steps)
		d, ok := pl.planTarget(tg)
		if pl.err != nil {
			return Result{}, pl.err
		}
		if ok {
			found[n], ranges[n] = d, [2]int{base, len(pl.steps)}
			n++
		}
	}
	base := len(pl.steps)
	if d, ok := pl.planRemediation(); ok {
		found[n], ranges[n] = d, [2]int{base, len(pl.steps)}
		n++
	}
	steps := make([]Step, len(pl.steps))
	copy(steps, pl.steps)
	res := Result{PolicyVersion: p.Version, Deadlines: make([]Deadline, n)}
	for i := range n {
		res.Deadlines[i] = found[i]
		r := ranges[i]
		res.Deadlines[i].Explanation = steps[r[0]:r[1]:r[1]]
	}
	return res, nil
}

var planners = sync.Pool{New: func() any { return &planner{steps: make([]Step, 0, 64)} }}

// release returns pl to the pool without references to the caller's data,
// unless an outsized incident grew its buffer.
func (pl *planner) release() {
	if cap(pl.steps) > 1024 {
		return
	}
	clear(pl.steps)
	*pl = planner{steps: pl.steps[:0], scratch: pl.scratch[:0]}
	planners.Put(pl)
}

// planner carries one Plan call; steps is shared by all targets, each
// owning a contiguous run of it, so a whole plan costs one step allocation.
type planner struct {
	p      Policy
	cals   Calendars
	in     Incident
	events []Event
	now    time.Time
	loc24  *time.Location
	steps  []Step
	// scratch receives the segments counted for warning points, which no explanation keeps.
	scratch []Step
	err     error
	cells   [4][4]int16 // index+1 into p.Cells by severity and target; 0: none
}

// indexCells indexes p.Cells by severity and target once per plan; like
// Policy.Cell, the first of duplicate cells wins.
func (pl *planner) indexCells() {
	for i, c := range pl.p.Cells {
		t := targetOrder(c.Target)
		if c.Severity >= 1 && c.Severity <= 4 && t < len(policyTargets) && pl.cells[c.Severity-1][t] == 0 {
			pl.cells[c.Severity-1][t] = int16(i + 1)
		}
	}
}

// cell is Policy.Cell through the index built once per plan.
func (pl *planner) cell(sev int, t Target) (Cell, bool) {
	if i := pl.cells[sev-1][targetOrder(t)]; i > 0 {
		return pl.p.Cells[i-1], true
	}
	return Cell{}, false
}

// planTarget replays the events for one policy target.
func (pl *planner) planTarget(tg Target) (Deadline, bool) {
	s := situation{severity: pl.in.Severity}
	t := timer{pl: pl, target: tg, base: len(pl.steps)}
	if tg != UpdateCadence {
		t.plan(pl.in.AcceptedAt, &s, becauseAccepted, false)
	}
	for i := range pl.events {
		e := &pl.events[i]
		at := pl.clamp(e.At)
		t.expire(at, false)
		prev := s
		s.apply(e, at)
		switch e.Kind {
		case Acknowledged:
			if prev.acked {
				continue
			}
			if tg == FirstResponse {
				t.meet(at, "acknowledged")
			} else if tg == UpdateCadence && !s.resolved {
				t.plan(at, &s, becauseAcknowledged, false)
			}
		case PublicUpdate:
			if tg == UpdateCadence && s.acked && !s.resolved {
				t.newCycle(at, &s, becausePublicUpdate)
			}
		case SeverityChanged:
			if prev.severity != s.severity && (tg != UpdateCadence || s.acked) {
				t.plan(at, &s, becauseSeverityChanged, true)
			}
		case Escalated:
			if lvl := tg.Level(); lvl > 0 && lvl <= e.Level && !t.dead && !t.final() {
				cause := CauseHigherLevel
				if lvl == e.Level {
					cause = e.Cause
				}
				if cause == "" { // not said: the deadline if it fell due right then, else a request
					cause = CauseRequest
					if t.running && !t.due.After(at) {
						cause = CauseDeadline
					}
				}
				if !t.planned {
					t.sev = s.severity
				}
				if t.running { // the explanation counts the clock up to the escalation, not to a due time never reached
					t.cut(at)
				}
				t.escalate(at, cause)
			}
		case Resolved:
			if !prev.resolved && tg == FirstResponse {
				t.meet(at, "resolved")
			}
		case Reopened:
			if prev.resolved && tg == UpdateCadence && s.acked {
				t.newCycle(at, &s, becauseReopened)
				continue
			}
		}
		if pl.err != nil {
			return Deadline{}, false
		}
		t.sync(at, &s, e.Kind)
	}
	t.expire(pl.now, true)
	d, ok := t.deadline(&s)
	if ok && d.State == Pending {
		d.Warnings = t.warnings()
	}
	return d, ok
}

// count advances need of time on cal (nil: 24x7) from from, stopping at limit
// if set, recording the segments in rec. It returns where it stopped and
// the time counted.
func (pl *planner) count(cal *Calendar, from time.Time, need time.Duration, limit time.Time, rec *[]Step) (time.Time, time.Duration) {
	if cal != nil {
		return cal.walk(from, need, limit, rec)
	}
	from = from.In(pl.loc24)
	end := from.Add(need)
	if !limit.IsZero() && limit.Before(end) {
		end = limit.In(pl.loc24)
	}
	counted := end.Sub(from)
	if counted > 0 {
		*rec = append(*rec, Step{Kind: StepOpen, From: from, To: end, Counted: counted, Left: need - counted, Note: "24x7"})
	}
	return end, counted
}

// at shows an instant in the zone of the clock it is counted on.
func (pl *planner) at(t time.Time, cal *Calendar) time.Time {
	if cal != nil {
		return t.In(cal.loc)
	}
	return t.In(pl.loc24)
}

// clamp moves events from before the acceptance (clock skew between
// writers) to the acceptance itself.
func (pl *planner) clamp(t time.Time) time.Time {
	if t.Before(pl.in.AcceptedAt) {
		return pl.in.AcceptedAt
	}
	return t
}

// sortedEvents returns events in time order, copying only when they are not
// already sorted (the usual case for events read from a timeline).
func sortedEvents(events []Event) []Event {
	if sort.SliceIsSorted(events, func(i, j int) bool { return events[i].At.Before(events[j].At) }) {
		return events
	}
	out := append([]Event(nil), events...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

func checkIncident(p Policy, in Incident) error {
	if in.Tier != p.Tier {
		return fieldErr("tier", "the policy is for "+string(p.Tier)+", not "+strconv.Quote(string(in.Tier)))
	}
	if in.Severity < 1 || in.Severity > 4 {
		return fieldErr("severity", "must be 1, 2, 3 or 4")
	}
	if in.AcceptedAt.IsZero() {
		return fieldErr("accepted_at", "is required")
	}
	for i, e := range in.Events {
		if err := checkEvent(e); err != nil {
			err.Field = "events[" + strconv.Itoa(i) + "]." + err.Field
			return err
		}
	}
	return nil
}

// checkEvent validates one event; the field it names is relative to it.
func checkEvent(e Event) *FieldError {
	if e.At.IsZero() {
		return fieldErr("at", "is required")
	}
	switch e.Kind {
	case Acknowledged, PublicUpdate, WaitStarted, WaitEnded, Resolved, Reopened:
	case SeverityChanged:
		if e.Severity < 1 || e.Severity > 4 {
			return fieldErr("severity", "must be 1, 2, 3 or 4")
		}
	case Escalated:
		if e.Level != 1 && e.Level != 2 {
			return fieldErr("level", "must be 1 or 2")
		}
		switch e.Cause {
		case "", CauseDeadline, CauseRequest:
		default:
			return fieldErr("cause", "must be deadline or request")
		}
	case RemediationAgreed:
		if e.DueAt.IsZero() {
			return fieldErr("due_at", "is required")
		}
	case ScopeChanged:
		switch e.Scope {
		case ScopeProduct, ScopeEnvironment, ScopeUnsupported:
		default:
			return fieldErr("scope", "must be product, environment or unsupported")
		}
	default:
		return fieldErr("kind", "unknown event kind "+strconv.Quote(string(e.Kind)))
	}
	return nil
}

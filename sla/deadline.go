package sla

import "time"

// State is where a target stands (SPEC §5 "state").
type State string

// The states of a deadline.
const (
	// Pending: the clock runs and DueAt is in the future of the last event.
	Pending State = "pending"
	// Paused: the clock is stopped (waiting on the customer); Remaining is
	// the time left on it and DueAt is zero until it resumes.
	Paused State = "paused"
	// Met: the target was met at MetAt, on or before DueAt.
	Met State = "met"
	// Breached: DueAt passed before a response, update or remediation
	// target was met; BreachedAt says when. A target met after its breach
	// stays Breached and gets MetAt, so lateness is known. Escalation
	// targets are never Breached: a breach is an accusation, recorded only
	// when a deadline passed unmet.
	Breached State = "breached"
	// StateEscalated (named apart from the event kind Escalated): an escalation target's level was reached at EscalatedAt;
	// Cause says what reached it.
	StateEscalated State = "escalated"
	// Cancelled: the target no longer runs (scope outside the product, a
	// severity without this target, or the cadence of a resolved incident).
	Cancelled State = "cancelled"
)

// Cause says what made an escalation target Escalated.
type Cause string

// The causes of an escalation.
const (
	// CauseDeadline: the target's own deadline passed.
	CauseDeadline Cause = "deadline"
	// CauseRequest: the customer asked for that level.
	CauseRequest Cause = "request"
	// CauseHigherLevel: a higher level was reached first (its recipients,
	// not this level's, were told).
	CauseHigherLevel Cause = "higher_level"
)

// Deadline is the plan of one target.
type Deadline struct {
	Target Target
	// Level is Target.Level(): 1 or 2 for escalations, else 0.
	Level int
	// DueAt is when the target falls due; zero while Paused or Cancelled.
	// For Met and Breached it is the due time the outcome was judged
	// against (for an escalation met by resolution: the due time its clock
	// was heading for at the resolution, zero if it was paused then). For
	// Escalated it is the due time the clock was heading for when the level
	// was reached (zero for a level without a timer, such as "on request").
	// A timer system schedules one delivery per Pending target at DueAt.
	DueAt      time.Time
	State      State
	MetAt      time.Time
	BreachedAt time.Time
	// EscalatedAt and Cause are set when State is StateEscalated.
	EscalatedAt time.Time
	Cause       Cause
	// Clock is "24x7", a calendar name, or "agreed" for remediation; empty
	// for an escalation level reached that had no timer of its own.
	Clock string
	// Remaining is the time left on the clock while Paused or Cancelled
	// (open time on a business calendar).
	Remaining time.Duration
	// PolicyVersion is the version of the policy the plan used.
	PolicyVersion int
	// Severity is the severity the current plan of the target was made for.
	Severity int
	// Explanation holds the steps that produced DueAt and State.
	Explanation Explanation
	// Warnings are the warning points of a Pending target still ahead on its running clock
	// (or passed on it but maybe not yet told), soonest first; empty otherwise.
	Warnings []Warning
}

// Result is the plan of one incident: one Deadline per target that has (or
// had) a timer, in the order first_response, update_cadence,
// support_manager, executive, remediation.
type Result struct {
	PolicyVersion int
	Deadlines     []Deadline
}

// Deadline returns the deadline of target t, if it has one.
func (r Result) Deadline(t Target) (Deadline, bool) {
	for _, d := range r.Deadlines {
		if d.Target == t {
			return d, true
		}
	}
	return Deadline{}, false
}

// Next returns the pending deadline that falls due first: the next instant
// at which the plan changes by itself.
func (r Result) Next() (Deadline, bool) {
	var best Deadline
	found := false
	for _, d := range r.Deadlines {
		if d.State == Pending && (!found || d.DueAt.Before(best.DueAt)) {
			best, found = d, true
		}
	}
	return best, found
}

package sla

import "strconv"

// Tier is a support tier (SPEC §2).
type Tier string

// The support tiers.
const (
	Standard Tier = "standard"
	Premium  Tier = "premium"
	Platinum Tier = "platinum"
)

// Tiers lists every tier, lowest first, for callers to range over.
var Tiers = []Tier{Standard, Premium, Platinum}

// ParseTier returns the Tier named s, or a *FieldError for field "tier".
func ParseTier(s string) (Tier, error) {
	switch t := Tier(s); t {
	case Standard, Premium, Platinum:
		return t, nil
	}
	return "", fieldErr("tier", "must be standard, premium or platinum, not "+strconv.Quote(s))
}

// Target is one timed promise of an incident (SPEC §5 target names).
type Target string

// The targets. The first four come from a policy; Remediation is the
// resolution time a support manager agrees in answer to an escalation
// request and arrives as a RemediationAgreed event.
const (
	FirstResponse  Target = "first_response"
	UpdateCadence  Target = "update_cadence"
	SupportManager Target = "support_manager" // escalation level 1
	Executive      Target = "executive"       // escalation level 2
	Remediation    Target = "remediation"
)

// PolicyTargets are the targets a policy defines, in display order. It is
// for callers to range over; the package itself does not read it.
var PolicyTargets = []Target{FirstResponse, UpdateCadence, SupportManager, Executive}

// policyTargets is PolicyTargets as the package uses it, out of callers'
// reach.
var policyTargets = [...]Target{FirstResponse, UpdateCadence, SupportManager, Executive}

// ParseTarget returns the Target named s; ok is false for unknown names.
func ParseTarget(s string) (t Target, ok bool) {
	switch t := Target(s); t {
	case FirstResponse, UpdateCadence, SupportManager, Executive, Remediation:
		return t, true
	}
	return "", false
}

// Level is the escalation level the target stands for: 1 for
// SupportManager, 2 for Executive, 0 for the others.
func (t Target) Level() int {
	switch t {
	case SupportManager:
		return 1
	case Executive:
		return 2
	}
	return 0
}

// EscalationTarget returns the target of escalation level 1 or 2; ok is
// false for other levels.
func EscalationTarget(level int) (t Target, ok bool) {
	switch level {
	case 1:
		return SupportManager, true
	case 2:
		return Executive, true
	}
	return "", false
}

// Kind says how a policy cell measures its target.
type Kind string

// The kinds of cell.
const (
	// Duration is Cell.Duration of time on the cell's clock: wall time on
	// "24x7", open time on a calendar.
	Duration Kind = "duration"
	// BusinessDays is Cell.BusinessDays × the calendar's business-day
	// length, counted in open time.
	BusinessDays Kind = "business_days"
	// None means no target ("—" and "as needed" in the matrix).
	None Kind = "none"
	// OnRequest means the customer may request the escalation at any time;
	// there is no timer.
	OnRequest Kind = "on_request"
)

// Timed reports whether cells of this kind run a timer.
func (k Kind) Timed() bool { return k == Duration || k == BusinessDays }

// Clock24x7 is the built-in clock that counts wall time round the clock.
const Clock24x7 = "24x7"

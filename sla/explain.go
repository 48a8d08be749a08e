package sla

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// StepKind names what a Step records. It is a small integer so that
// planning writes compact steps; it marshals as its name ("open").
type StepKind uint8

// Step kinds, in the order they typically appear in an explanation.
const (
	// StepPolicy names the policy cell (Tier(), Version, Severity,
	// Target(), Counted = the target's length, Days = business days if so
	// given, Note = the clock) and when counting started: From, for
	// Reason().
	StepPolicy StepKind = iota + 1
	// StepOpen is a segment of counted time From–To, with Left to go
	// after it; Left 0 means the target fell due at To. Note is "24x7" on
	// the round-the-clock clock.
	StepOpen
	// StepClosed is a run of closed days From–To skipped; Note says why
	// (a holiday's name, an annual closure, "no opening hours").
	StepClosed
	StepPause     // clock stopped at From with Left to go (Note: why)
	StepResume    // clock restarted at From with Left to go (Note: why)
	StepReplan    // severity changed at From to Severity; planned again
	StepAgreed    // at From, a remediation was agreed to be done by To
	StepMet       // target met at From (Note: by what)
	StepBreached  // target breached at From (Note: how)
	StepCancelled // target cancelled at From (Note: why), with Left on the clock
	StepEscalated // escalation level reached at From (Note: the cause)
)

var stepKindNames = [...]string{"", "policy", "open", "closed", "pause", "resume", "replan",
	"agreed", "met", "breached", "cancelled", "escalated"}

// String returns the kind's name, e.g. "open".
func (k StepKind) String() string {
	if int(k) < len(stepKindNames) {
		return stepKindNames[k]
	}
	return "step" + strconv.Itoa(int(k))
}

// MarshalText encodes the kind as its name.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Step is one piece of the arithmetic behind a deadline. Steps are stored
// as data and rendered only on demand (Explanation.Lines, String), which
// keeps planning free of formatting; the struct is small and a plan writes
// about a dozen, because planning speed is part of the contract. Times carry
// the zone of the clock they were counted on.
type Step struct {
	Kind     StepKind
	tier     uint8 // tierCode (policy steps)
	target   uint8 // targetOrder+1 (policy steps)
	reason   uint8 // index+1 in reasonNames (policy steps)
	Version  int32 // policy version (policy steps)
	Severity int   // policy and replan steps
	Days     int   // business days of the cell (policy steps)
	From     time.Time
	To       time.Time
	Counted  time.Duration
	Left     time.Duration
	Note     string
}

// Why counting (re)starts; kept as a code so policy steps stay small.
type reason uint8

const (
	becauseAccepted reason = iota + 1
	becauseAcknowledged
	becausePublicUpdate
	becauseSeverityChanged
	becauseReopened
)

var reasonNames = [...]string{"", "accepted", "acknowledged", "public update", "severity changed", "incident reopened"}

func policyStep(tier Tier, version int, sev int, target Target, length time.Duration, days int, clock string, from time.Time, why reason) Step {
	return Step{Kind: StepPolicy, tier: tierCode(tier), target: uint8(targetOrder(target) + 1), reason: uint8(why),
		Version: int32(version), Severity: sev, Days: days, Counted: length, Note: clock, From: from}
}

func tierCode(t Tier) uint8 {
	switch t {
	case Standard:
		return 1
	case Premium:
		return 2
	case Platinum:
		return 3
	}
	return 0
}

// Tier returns the tier of a StepPolicy step ("" for other kinds).
func (s Step) Tier() Tier {
	if s.tier == 0 {
		return ""
	}
	return [...]Tier{Standard, Premium, Platinum}[s.tier-1]
}

// Target returns the target of a StepPolicy step ("" for other kinds).
func (s Step) Target() Target {
	if s.target == 0 {
		return ""
	}
	return policyTargets[s.target-1]
}

// Reason says why counting started at From in a StepPolicy step:
// "accepted", "acknowledged", "public update", "severity changed" or
// "incident reopened" ("" for other kinds).
func (s Step) Reason() string { return reasonNames[s.reason] }

// Explanation is the ordered list of steps that produced one deadline.
type Explanation []Step

// Lines renders the explanation for people, one line per step plus the
// lines the data implies: when counting started (after the policy step)
// and the due time (after the segment or agreement that reaches it).
func (e Explanation) Lines() []string {
	out := make([]string, 0, len(e)+3)
	for _, s := range e {
		out = s.lines(out)
	}
	return out
}

// String renders the explanation as lines separated by newlines.
func (e Explanation) String() string { return strings.Join(e.Lines(), "\n") }

// String renders the step, e.g. "Fri 2026-11-20 16:00–17:30 JST: 1h30m
// counted, 7h left"; a step that implies a second line (see
// Explanation.Lines) joins both with "; ".
func (s Step) String() string { return strings.Join(s.lines(nil), "; ") }

// MarshalJSON encodes the step as an object with "kind", the fields that
// are set ("from", "to", "counted", "left", "tier", "policy_version",
// "severity", "target", "business_days", "clock", "reason", "note"),
// durations as Go duration strings ("8h30m0s"), and the rendered "text".
func (s Step) MarshalJSON() ([]byte, error) {
	out := struct {
		Kind     StepKind  `json:"kind"`
		From     time.Time `json:"from,omitzero"`
		To       time.Time `json:"to,omitzero"`
		Counted  string    `json:"counted,omitempty"`
		Left     string    `json:"left,omitempty"`
		Tier     Tier      `json:"tier,omitempty"`
		Version  int32     `json:"policy_version,omitempty"`
		Severity int       `json:"severity,omitempty"`
		Target   Target    `json:"target,omitempty"`
		Days     int       `json:"business_days,omitempty"`
		Clock    string    `json:"clock,omitempty"`
		Reason   string    `json:"reason,omitempty"`
		Note     string    `json:"note,omitempty"`
		Text     string    `json:"text"`
	}{Kind: s.Kind, From: s.From, To: s.To, Counted: durString(s.Counted), Left: durString(s.Left),
		Tier: s.Tier(), Version: s.Version, Severity: s.Severity, Target: s.Target(), Days: s.Days,
		Reason: s.Reason(), Note: s.Note, Text: s.String()}
	if s.Kind == StepPolicy {
		out.Clock, out.Note = s.Note, ""
	}
	return json.Marshal(out)
}

func durString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

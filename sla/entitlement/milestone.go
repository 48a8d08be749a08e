package entitlement

import "time"

// Milestone is a renewal reminder sent to the organisation's admins. A
// reminder is keyed by (entitlement, milestone, EndsAt), so each is sent
// once per contract period and a renewal (new EndsAt) starts a fresh set.
type Milestone string

const (
	Milestone90d      Milestone = "90d"       // EndsAt − 90 × 24h
	Milestone60d      Milestone = "60d"       // EndsAt − 60 × 24h
	Milestone30d      Milestone = "30d"       // EndsAt − 30 × 24h
	Milestone0d       Milestone = "0d"        // EndsAt: the contract has just ended
	MilestoneGraceEnd Milestone = "grace_end" // GraceEndsAt, only when Grace.Days > 0
)

// preEnd are the milestones before (and at) the end, earliest first.
var preEnd = []Milestone{Milestone90d, Milestone60d, Milestone30d, Milestone0d}

var daysBefore = map[Milestone]int{Milestone90d: 90, Milestone60d: 60, Milestone30d: 30, Milestone0d: 0}

// MilestoneAt returns the instant of m for e: EndsAt minus 90, 60, 30 or 0
// days of 24h, or GraceEndsAt for MilestoneGraceEnd (equal to EndsAt when
// there is no grace; Milestones then leaves it out). An unknown milestone
// gives the zero time.
func MilestoneAt(e Entitlement, m Milestone) time.Time {
	if m == MilestoneGraceEnd {
		return e.GraceEndsAt()
	}
	if n, ok := daysBefore[m]; ok {
		return e.EndsAt.Add(-days(n))
	}
	return time.Time{}
}

// Milestones returns e's reminder schedule, earliest first: the four
// pre-end milestones, then grace_end when the grace period is not empty (a
// second reminder at the very instant of 0d would say nothing new). A
// perpetual licence without maintenance has nothing to renew and no
// schedule. Extensions do not move the schedule: they bridge a renewal
// that is already under way.
func Milestones(e Entitlement) []Milestone {
	if !e.ProvidesSupport() {
		return nil
	}
	ms := append([]Milestone(nil), preEnd...)
	if e.Grace.Days > 0 {
		ms = append(ms, MilestoneGraceEnd)
	}
	return ms
}

// DueMilestones returns the milestones that should have been sent by now,
// earliest first; the caller sends those it has not sent yet (deduplicated
// by a unique (entitlement, milestone, EndsAt) key), so a caller that was
// down catches up on its next run.
//
// Catch-up rule: of the pre-end milestones (90d, 60d, 30d, 0d) only the
// latest one whose instant is ≤ now is due. Earlier ones are superseded —
// an entitlement created today that ends in 10 days gets the 30d reminder,
// not 90d and 60d as well, and a worker back after two months sends one
// reminder, not three. grace_end is due in addition once its instant is
// ≤ now, because it says something different (support has now stopped).
// So the result has at most two entries, and a caller running on time sees
// each milestone due from its instant on.
func DueMilestones(e Entitlement, now time.Time) []Milestone {
	var latest Milestone
	var due []Milestone
	for _, m := range Milestones(e) {
		if MilestoneAt(e, m).After(now) {
			break
		}
		if m == MilestoneGraceEnd {
			due = append(due, m)
		} else {
			latest = m
		}
	}
	if latest != "" {
		due = append([]Milestone{latest}, due...)
	}
	return due
}

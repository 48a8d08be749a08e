package entitlement

import (
	"slices"
	"testing"
	"time"
)

// Milestones of base (end 2026-04-01 00:00 JST, 30 days of grace), by hand:
// 90d = 2026-01-01, 60d = 2026-01-31, 30d = 2026-03-02, 0d = 2026-04-01,
// grace_end = 2026-05-01, all 00:00 JST.
var (
	m90  = at(2026, 1, 1, 0, 0)
	m60  = at(2026, 1, 31, 0, 0)
	m30  = at(2026, 3, 2, 0, 0)
	m0   = end
	mEnd = at(2026, 5, 1, 0, 0)
)

func TestMilestoneAt(t *testing.T) {
	cases := []struct {
		m    Milestone
		want time.Time
	}{
		{Milestone90d, m90}, {Milestone60d, m60}, {Milestone30d, m30}, {Milestone0d, m0},
		{MilestoneGraceEnd, mEnd}, {"7d", time.Time{}},
	}
	for _, c := range cases {
		if got := MilestoneAt(base(), c.m); !got.Equal(c.want) {
			t.Errorf("MilestoneAt(%s) = %v, want %v", c.m, got, c.want)
		}
	}
}

func TestDueMilestones(t *testing.T) {
	noGrace := with(func(e *Entitlement) { e.Grace = GracePolicy{} })
	licenceOnly := with(func(e *Entitlement) { e.LicenseType, e.Maintenance = Perpetual, false })
	cases := []struct {
		name string
		e    Entitlement
		now  time.Time
		want []Milestone
	}{
		{"1ns before 90d", base(), m90.Add(-ns), nil},
		{"at 90d", base(), m90, []Milestone{Milestone90d}},
		{"1ns before 60d", base(), m60.Add(-ns), []Milestone{Milestone90d}},
		{"at 60d: 90d superseded", base(), m60, []Milestone{Milestone60d}},
		{"at 30d", base(), m30, []Milestone{Milestone30d}},
		{"created 10 days before end: only 30d", base(), end.Add(-10 * day), []Milestone{Milestone30d}},
		{"1ns before end", base(), end.Add(-ns), []Milestone{Milestone30d}},
		{"at end", base(), m0, []Milestone{Milestone0d}},
		{"1ns before grace end", base(), mEnd.Add(-ns), []Milestone{Milestone0d}},
		{"at grace end", base(), mEnd, []Milestone{Milestone0d, MilestoneGraceEnd}},
		{"a year later", base(), at(2027, 4, 1, 0, 0), []Milestone{Milestone0d, MilestoneGraceEnd}},
		{"no grace: no grace_end", noGrace, at(2027, 4, 1, 0, 0), []Milestone{Milestone0d}},
		{"licence without maintenance: nothing", licenceOnly, m30, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DueMilestones(c.e, c.now); !slices.Equal(got, c.want) {
				t.Fatalf("DueMilestones = %v, want %v", got, c.want)
			}
		})
	}
}

// reminderRun simulates a reminder worker ticking every hour from `from` to
// `to`, skipping the hours in which it is down, with the (milestone, period
// end) unique key of the store. It returns the milestones sent, in order,
// with the instant each was sent.
func reminderRun(e Entitlement, from, to time.Time, down func(time.Time) bool) (sent []Milestone, when []time.Time) {
	seen := map[string]bool{}
	for now := from; now.Before(to); now = now.Add(time.Hour) {
		if down(now) {
			continue
		}
		for _, m := range DueMilestones(e, now) {
			key := string(m) + "@" + e.EndsAt.UTC().Format(time.RFC3339)
			if !seen[key] {
				seen[key] = true
				sent, when = append(sent, m), append(when, now)
			}
		}
	}
	return sent, when
}

func TestRemindersCrossingAllMilestones(t *testing.T) {
	sent, when := reminderRun(base(), at(2025, 12, 1, 0, 0), at(2026, 6, 1, 0, 0), func(time.Time) bool { return false })
	want := []Milestone{Milestone90d, Milestone60d, Milestone30d, Milestone0d, MilestoneGraceEnd}
	wantAt := []time.Time{m90, m60, m30, m0, mEnd}
	if !slices.Equal(sent, want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
	for i := range wantAt {
		if !when[i].Equal(wantAt[i]) {
			t.Errorf("%s sent at %v, want %v", sent[i], when[i], wantAt[i])
		}
	}
}

func TestRemindersCatchUp(t *testing.T) {
	// Down from 2025-12-15 to 2026-03-10: 90d, 60d and 30d pass unseen.
	// Back up, it sends 30d only; the rest follow on time.
	downFrom, downTo := at(2025, 12, 15, 0, 0), at(2026, 3, 10, 0, 0)
	down := func(t time.Time) bool { return !t.Before(downFrom) && t.Before(downTo) }
	sent, when := reminderRun(base(), at(2025, 12, 1, 0, 0), at(2026, 6, 1, 0, 0), down)
	want := []Milestone{Milestone30d, Milestone0d, MilestoneGraceEnd}
	if !slices.Equal(sent, want) || !when[0].Equal(downTo) {
		t.Fatalf("sent %v at %v, want %v, the first at %v", sent, when, want, downTo)
	}

	// Down across the end and grace end: both are still sent, once.
	down2 := func(t time.Time) bool { return !t.Before(at(2026, 3, 20, 0, 0)) && t.Before(at(2026, 5, 20, 0, 0)) }
	sent, _ = reminderRun(base(), at(2025, 12, 1, 0, 0), at(2026, 6, 1, 0, 0), down2)
	want = []Milestone{Milestone90d, Milestone60d, Milestone30d, Milestone0d, MilestoneGraceEnd}
	if !slices.Equal(sent, want) {
		t.Fatalf("sent %v, want %v", sent, want)
	}
}

func TestRemindersAfterRenewal(t *testing.T) {
	// Renewed on 2026-03-20: the new period (end 2027-04-01) gets its own
	// set, keyed by the new end.
	renewed, err := base().Renew(end, at(2027, 4, 1, 0, 0), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := DueMilestones(renewed, at(2026, 3, 20, 0, 0)); got != nil {
		t.Fatalf("right after renewal: %v, want none", got)
	}
	if got := MilestoneAt(renewed, Milestone90d); !got.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, jst)) {
		t.Fatalf("90 days before the renewed end: %v", got)
	}
}

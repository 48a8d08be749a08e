package sla

import (
	"errors"
	"testing"
	"time"
)

// warningsOf returns the instants of d's warning points.
func warningsOf(d Deadline) []time.Time {
	var out []time.Time
	for _, w := range d.Warnings {
		out = append(out, w.At)
	}
	return out
}

func sameInstants(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// withWarnings returns the tier's default policy with the cell's warning points replaced.
func withWarnings(tier Tier, sev int, tg Target, points ...int) Policy {
	p := policyFor(tier)
	p.Cells = append([]Cell(nil), p.Cells...)
	for i := range p.Cells {
		if p.Cells[i].Severity == sev && p.Cells[i].Target == tg {
			p.Cells[i].Warnings = points
		}
	}
	return p
}

// TestWarningPoints plans warning points at exact instants, each worked out by hand: on 24x7
// and on jp-business (open time only), moved by a pause and its resumption, not repeated after a
// pause that passed the point, planned afresh by a severity change, none for a met target, an
// escalation's only when its cell names them, and the remediation's in wall time.
func TestWarningPoints(t *testing.T) {
	acc := jst(2026, 12, 1, 10, 0) // a Tuesday
	fri := jst(2026, 12, 4, 16, 0) // a Friday, 90 min before closing
	cases := []struct {
		name   string
		policy Policy
		sev    int
		acc    time.Time
		now    time.Time
		events []Event
		target Target
		want   []time.Time
	}{{
		name: "premium sev 1 first response 1h: 75 % at 45 min", policy: policyFor(Premium), sev: 1, acc: acc, now: acc,
		target: FirstResponse, want: []time.Time{jst(2026, 12, 1, 10, 45)},
	}, {
		name:   "standard sev 2 first response 8h on jp-business from Friday 16:00: 6h open is Monday 13:30",
		policy: policyFor(Standard), sev: 2, acc: fri, now: fri,
		target: FirstResponse, want: []time.Time{jst(2026, 12, 7, 13, 30)},
	}, {
		name: "a point already passed but not yet told stays planned", policy: policyFor(Premium), sev: 1, acc: acc,
		now: jst(2026, 12, 1, 10, 50), target: FirstResponse, want: []time.Time{jst(2026, 12, 1, 10, 45)},
	}, {
		name: "acknowledged: met, no warnings", policy: policyFor(Premium), sev: 1, acc: acc, now: jst(2026, 12, 1, 10, 20),
		events: []Event{at(Acknowledged, jst(2026, 12, 1, 10, 10))}, target: FirstResponse,
	}, {
		name:   "cadence 2h paused after 30 min, resumed at 12:00 with 1h30 left: 75 % at 13:00",
		policy: policyFor(Premium), sev: 1, acc: acc, now: jst(2026, 12, 1, 12, 0),
		events: []Event{at(Acknowledged, acc), at(WaitStarted, jst(2026, 12, 1, 10, 30)), at(WaitEnded, jst(2026, 12, 1, 12, 0))},
		target: UpdateCadence, want: []time.Time{jst(2026, 12, 1, 13, 0)},
	}, {
		name:   "paused after the point (1h45 used): resuming does not warn again",
		policy: policyFor(Premium), sev: 1, acc: acc, now: jst(2026, 12, 1, 13, 0),
		events: []Event{at(Acknowledged, acc), at(WaitStarted, jst(2026, 12, 1, 11, 45)), at(WaitEnded, jst(2026, 12, 1, 13, 0))},
		target: UpdateCadence,
	}, {
		name: "a public update starts a new cycle with its own warning", policy: policyFor(Premium), sev: 1, acc: acc,
		now: jst(2026, 12, 1, 11, 50), events: []Event{at(Acknowledged, acc), at(PublicUpdate, jst(2026, 12, 1, 11, 40))},
		target: UpdateCadence, want: []time.Time{jst(2026, 12, 1, 13, 10)},
	}, {
		name: "severity 2 → 1 at 10:30 re-plans first response (1h from 10:30): 11:15", policy: policyFor(Premium), sev: 2, acc: acc,
		now: jst(2026, 12, 1, 10, 30), events: []Event{{Kind: SeverityChanged, At: jst(2026, 12, 1, 10, 30), Severity: 1}},
		target: FirstResponse, want: []time.Time{jst(2026, 12, 1, 11, 15)},
	}, {
		name: "escalations have none by default", policy: policyFor(Premium), sev: 1, acc: acc, now: acc, target: SupportManager,
	}, {
		name: "support manager 2h with points at 50 % and 90 %: 11:00 and 11:48", policy: withWarnings(Premium, 1, SupportManager, 500, 900),
		sev: 1, acc: acc, now: acc, target: SupportManager, want: []time.Time{jst(2026, 12, 1, 11, 0), jst(2026, 12, 1, 11, 48)},
	}, {
		name: "a cell with no points: no warnings", policy: withWarnings(Premium, 1, FirstResponse), sev: 1, acc: acc, now: acc,
		target: FirstResponse,
	}, {
		name: "remediation agreed at 10:00 for 14:00: 75 % at 13:00 wall time", policy: policyFor(Premium), sev: 2, acc: acc,
		now: jst(2026, 12, 1, 10, 0), events: []Event{{Kind: RemediationAgreed, At: acc, DueAt: jst(2026, 12, 1, 14, 0)}},
		target: Remediation, want: []time.Time{jst(2026, 12, 1, 13, 0)},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Plan(c.policy, defaultCalendarSet(), Incident{Tier: c.policy.Tier, Severity: c.sev, AcceptedAt: c.acc, Events: c.events}, c.now)
			if err != nil {
				t.Fatal(err)
			}
			d := deadline(t, r, c.target)
			if got := warningsOf(d); !sameInstants(got, c.want) {
				t.Fatalf("warnings %v, want %v (deadline %s %v)", got, c.want, d.State, d.DueAt)
			}
		})
	}
}

func TestWarningPointsValidate(t *testing.T) {
	for _, c := range []struct {
		points []int
		field  string
	}{
		{[]int{0}, "cells[0].warnings[0]"},
		{[]int{1000}, "cells[0].warnings[0]"},
		{[]int{800, 700}, "cells[0].warnings[1]"},
		{[]int{100, 200, 300, 400, 500}, "cells[0].warnings"},
	} {
		p := Policy{Tier: Premium, Cells: []Cell{{Severity: 1, Target: FirstResponse, Kind: Duration, Duration: time.Hour, Clock: Clock24x7, Warnings: c.points}}}
		var fe *FieldError
		if err := p.Validate(nil); !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%v: got %v, want a field error on %s", c.points, err, c.field)
		}
	}
	p := Policy{Tier: Premium, Cells: []Cell{{Severity: 1, Target: SupportManager, Kind: OnRequest, Warnings: []int{500}}}}
	if err := p.Validate(nil); err == nil {
		t.Error("warning points on an on-request cell were accepted")
	}
	if got := Part(366*24*time.Hour, 999); got != 366*24*time.Hour/1000*999 {
		t.Errorf("Part overflowed: %v", got)
	}
}

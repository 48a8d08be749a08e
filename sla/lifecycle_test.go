package sla

import (
	"testing"
	"time"
)

func TestEscalationReachedIsNotPlannedAgain(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	esc := Event{Kind: Escalated, At: utc(2026, 6, 1, 12, 0), Level: 1, Cause: CauseDeadline}
	sev2 := Event{Kind: SeverityChanged, At: utc(2026, 6, 1, 13, 0), Severity: 2}
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 14, 0), esc, sev2)
	check(t, r, wantDeadline{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 1, 12, 0),
		escalated: utc(2026, 6, 1, 12, 0), cause: CauseDeadline})
}

// TestEscalationTargetsAreNeverBreached: a reached escalation level is
// escalated, with the instant and the cause, whatever reached it; breached
// stays an accusation for the targets a deadline can be missed on. Each
// case is judged at an exact instant.
func TestEscalationTargetsAreNeverBreached(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0) // premium sev 1: manager 2h; platinum sev 2: manager 72h, executive on request
	cases := []struct {
		name   string
		tier   Tier
		sev    int
		now    time.Time
		events []Event
		want   []wantDeadline
		none   []Target
	}{{
		name: "the timer fired late or was never recorded: escalated at the due time",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 12, 5),
		want: []wantDeadline{{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 1, 12, 0),
			escalated: utc(2026, 6, 1, 12, 0), cause: CauseDeadline}},
	}, {
		name: "exactly at the due time",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 12, 0),
		want: []wantDeadline{{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 1, 12, 0),
			escalated: utc(2026, 6, 1, 12, 0), cause: CauseDeadline}},
	}, {
		name: "one nanosecond before the due time: still pending",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 12, 0).Add(-1),
		want: []wantDeadline{{target: SupportManager, state: Pending, due: utc(2026, 6, 1, 12, 0)}},
	}, {
		name: "requested before the due time",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 11, 30),
		events: []Event{{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 1, Cause: CauseRequest}},
		want: []wantDeadline{{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 1, 12, 0),
			escalated: utc(2026, 6, 1, 11, 0), cause: CauseRequest}},
	}, {
		name: "an event without a cause before the due time is a request",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 11, 30),
		events: []Event{{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 1}},
		want: []wantDeadline{{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 1, 12, 0),
			escalated: utc(2026, 6, 1, 11, 0), cause: CauseRequest}},
	}, {
		name: "escalated while the clock is paused: no due time",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 12, 0),
		events: []Event{at(WaitStarted, utc(2026, 6, 1, 11, 0)), {Kind: Escalated, At: utc(2026, 6, 1, 11, 30), Level: 1, Cause: CauseRequest}},
		want:   []wantDeadline{{target: SupportManager, state: StateEscalated, escalated: utc(2026, 6, 1, 11, 30), cause: CauseRequest}},
	}, {
		name: "platinum sev 2: the executive asked for; the manager's 72h deadline days away is not breached",
		tier: Platinum, sev: 2, now: utc(2026, 6, 1, 11, 0),
		events: []Event{{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 2, Cause: CauseRequest}},
		want: []wantDeadline{
			{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 4, 10, 0), escalated: utc(2026, 6, 1, 11, 0), cause: CauseHigherLevel},
			{target: Executive, state: StateEscalated, escalated: utc(2026, 6, 1, 11, 0), cause: CauseRequest}},
	}, {
		name: "after the manager's deadline passes, the level-2 request still stands as the cause",
		tier: Platinum, sev: 2, now: utc(2026, 6, 5, 0, 0),
		events: []Event{{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 2, Cause: CauseRequest}},
		want: []wantDeadline{
			{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 4, 10, 0), escalated: utc(2026, 6, 1, 11, 0), cause: CauseHigherLevel}},
	}, {
		name: "level 2 by request, then severity 1 (executive 8h): level 2 is not planned again",
		tier: Platinum, sev: 2, now: utc(2026, 6, 1, 13, 0),
		events: []Event{{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 2, Cause: CauseRequest},
			{Kind: SeverityChanged, At: utc(2026, 6, 1, 12, 0), Severity: 1}},
		want: []wantDeadline{
			{target: SupportManager, state: StateEscalated, due: utc(2026, 6, 4, 10, 0), escalated: utc(2026, 6, 1, 11, 0), cause: CauseHigherLevel},
			{target: Executive, state: StateEscalated, escalated: utc(2026, 6, 1, 11, 0), cause: CauseRequest}},
	}, {
		name: "resolved before the deadline: met, not escalated",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 13, 0),
		events: []Event{at(Resolved, utc(2026, 6, 1, 11, 0))},
		want:   []wantDeadline{{target: SupportManager, state: Met, due: utc(2026, 6, 1, 12, 0), metAt: utc(2026, 6, 1, 11, 0), remaining: time.Hour}},
	}, {
		name: "platinum sev 2 untouched: the executive on request has no deadline",
		tier: Platinum, sev: 2, now: utc(2026, 6, 1, 11, 0),
		want: []wantDeadline{{target: SupportManager, state: Pending, due: utc(2026, 6, 4, 10, 0)}},
		none: []Target{Executive},
	}, {
		name: "the first response is still breached",
		tier: Premium, sev: 1, now: utc(2026, 6, 1, 12, 0),
		want: []wantDeadline{{target: FirstResponse, state: Breached, due: utc(2026, 6, 1, 11, 0), breached: utc(2026, 6, 1, 11, 0)}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := plan(t, c.tier, c.sev, acc, c.now, c.events...)
			check(t, r, c.want...)
			for _, tg := range c.none {
				noDeadline(t, r, tg)
			}
			for _, d := range r.Deadlines {
				if d.Level > 0 && d.State == Breached {
					t.Errorf("%s is breached", d.Target)
				}
			}
		})
	}
}

// Premium severity 1: resolved at 11:00 and reopened at 14:00.
func TestResolveReopen(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	events := []Event{at(Acknowledged, utc(2026, 6, 1, 10, 30)), at(Resolved, utc(2026, 6, 1, 11, 0)), at(Reopened, utc(2026, 6, 1, 14, 0))}
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 11, 30), events[:2]...)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Met, due: utc(2026, 6, 1, 11, 0), metAt: utc(2026, 6, 1, 10, 30)},
		wantDeadline{target: UpdateCadence, state: Cancelled, remaining: 90 * time.Minute},
		wantDeadline{target: SupportManager, state: Met, due: utc(2026, 6, 1, 12, 0), metAt: utc(2026, 6, 1, 11, 0), remaining: time.Hour})
	// Reopened: cadence starts a new 2h cycle, the manager clock resumes
	// with the hour it had left.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 14, 30), events...)
	check(t, r,
		wantDeadline{target: UpdateCadence, state: Pending, due: utc(2026, 6, 1, 16, 0)},
		wantDeadline{target: SupportManager, state: Pending, due: utc(2026, 6, 1, 15, 0)})

	// Resolved without an acknowledgement: the resolution is the response.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 11, 0), at(Resolved, utc(2026, 6, 1, 10, 45)))
	check(t, r, wantDeadline{target: FirstResponse, state: Met, due: utc(2026, 6, 1, 11, 0), metAt: utc(2026, 6, 1, 10, 45)})
	noDeadline(t, r, UpdateCadence)
}

func TestScopeCancelsEscalations(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	out := Event{Kind: ScopeChanged, At: utc(2026, 6, 1, 11, 0), Scope: ScopeEnvironment}
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 11, 30), out)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Breached, due: utc(2026, 6, 1, 11, 0), breached: utc(2026, 6, 1, 11, 0)},
		wantDeadline{target: SupportManager, state: Cancelled, remaining: time.Hour})
	back := Event{Kind: ScopeChanged, At: utc(2026, 6, 1, 13, 0), Scope: ScopeProduct}
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 13, 30), out, back)
	check(t, r, wantDeadline{target: SupportManager, state: Pending, due: utc(2026, 6, 1, 14, 0)})
}

func TestRemediation(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	agreed := Event{Kind: RemediationAgreed, At: utc(2026, 6, 4, 12, 0), DueAt: utc(2026, 6, 5, 18, 0)}
	wait := at(WaitStarted, utc(2026, 6, 5, 9, 0))
	r := plan(t, Premium, 2, acc, utc(2026, 6, 5, 10, 0), agreed, wait)
	check(t, r, wantDeadline{target: Remediation, state: Pending, due: utc(2026, 6, 5, 18, 0)})
	r = plan(t, Premium, 2, acc, utc(2026, 6, 5, 19, 0), agreed)
	check(t, r, wantDeadline{target: Remediation, state: Breached, due: utc(2026, 6, 5, 18, 0), breached: utc(2026, 6, 5, 18, 0)})
	resolved := at(Resolved, utc(2026, 6, 5, 17, 0))
	r = plan(t, Premium, 2, acc, utc(2026, 6, 5, 19, 0), agreed, resolved)
	check(t, r, wantDeadline{target: Remediation, state: Met, due: utc(2026, 6, 5, 18, 0), metAt: utc(2026, 6, 5, 17, 0)})
	// Reopened after the agreed time without a new resolution: breached.
	r = plan(t, Premium, 2, acc, utc(2026, 6, 6, 9, 0), agreed, resolved, at(Reopened, utc(2026, 6, 5, 17, 30)))
	check(t, r, wantDeadline{target: Remediation, state: Breached, due: utc(2026, 6, 5, 18, 0), breached: utc(2026, 6, 5, 18, 0)})
	// A new agreement replaces the first.
	again := Event{Kind: RemediationAgreed, At: utc(2026, 6, 5, 12, 0), DueAt: utc(2026, 6, 8, 18, 0)}
	r = plan(t, Premium, 2, acc, utc(2026, 6, 6, 9, 0), agreed, again)
	check(t, r, wantDeadline{target: Remediation, state: Pending, due: utc(2026, 6, 8, 18, 0)})
}

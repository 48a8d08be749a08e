package sla

import (
	"testing"
	"time"
)

func TestEscalationReachedIsNotPlannedAgain(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	esc := Event{Kind: Escalated, At: utc(2026, 6, 1, 12, 0), Level: 1}
	sev2 := Event{Kind: SeverityChanged, At: utc(2026, 6, 1, 13, 0), Severity: 2}
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 14, 0), esc, sev2)
	check(t, r, wantDeadline{target: SupportManager, state: Breached, due: utc(2026, 6, 1, 12, 0), breached: utc(2026, 6, 1, 12, 0)})

	// The timer fired late or was never recorded: breached at the due time.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 5))
	check(t, r, wantDeadline{target: SupportManager, state: Breached, due: utc(2026, 6, 1, 12, 0), breached: utc(2026, 6, 1, 12, 0)})

	// Escalated on request before the due time.
	early := Event{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 1}
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 11, 30), early)
	check(t, r, wantDeadline{target: SupportManager, state: Breached, due: utc(2026, 6, 1, 12, 0), breached: utc(2026, 6, 1, 11, 0)})

	// Escalated by hand while the clock is paused: breached then, with no
	// due time (the clock was not heading anywhere).
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 0),
		at(WaitStarted, utc(2026, 6, 1, 11, 0)), Event{Kind: Escalated, At: utc(2026, 6, 1, 11, 30), Level: 1})
	check(t, r, wantDeadline{target: SupportManager, state: Breached, breached: utc(2026, 6, 1, 11, 30)})

	// Platinum severity 2 (executive on request) escalated to level 2 by
	// request, then raised to severity 1 (executive 8h): level 2 is not
	// planned again, and reaching level 2 reached level 1 too.
	r = plan(t, Platinum, 2, acc, utc(2026, 6, 1, 13, 0),
		Event{Kind: Escalated, At: utc(2026, 6, 1, 11, 0), Level: 2},
		Event{Kind: SeverityChanged, At: utc(2026, 6, 1, 12, 0), Severity: 1})
	noDeadline(t, r, Executive)
	check(t, r, wantDeadline{target: SupportManager, state: Breached, due: utc(2026, 6, 4, 10, 0), breached: utc(2026, 6, 1, 11, 0)})
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

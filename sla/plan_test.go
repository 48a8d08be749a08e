package sla

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type wantDeadline struct {
	target    Target
	state     State
	due       time.Time
	metAt     time.Time
	breached  time.Time
	remaining time.Duration
	escalated time.Time
	cause     Cause
}

func check(t *testing.T, r Result, wants ...wantDeadline) {
	t.Helper()
	for _, w := range wants {
		d, ok := r.Deadline(w.target)
		if !ok {
			t.Errorf("%s: no deadline", w.target)
			continue
		}
		if d.State != w.state || !sameInstant(d.DueAt, w.due) || !sameInstant(d.MetAt, w.metAt) ||
			!sameInstant(d.BreachedAt, w.breached) || d.Remaining != w.remaining ||
			!sameInstant(d.EscalatedAt, w.escalated) || d.Cause != w.cause {
			t.Errorf("%s:\n got %s due=%v met=%v breached=%v remaining=%v escalated=%v cause=%q\nwant %s due=%v met=%v breached=%v remaining=%v escalated=%v cause=%q\n%s",
				w.target, d.State, d.DueAt, d.MetAt, d.BreachedAt, d.Remaining, d.EscalatedAt, d.Cause,
				w.state, w.due, w.metAt, w.breached, w.remaining, w.escalated, w.cause, d.Explanation)
		}
	}
}

func noDeadline(t *testing.T, r Result, tg Target) {
	t.Helper()
	if d, ok := r.Deadline(tg); ok {
		t.Errorf("%s: unexpected deadline %+v", tg, d)
	}
}

func TestPlanSPECExamples(t *testing.T) {
	r := plan(t, Standard, 3, jst(2026, 11, 13, 16, 0), jst(2026, 11, 13, 16, 0))
	check(t, r, wantDeadline{target: FirstResponse, state: Pending, due: jst(2026, 11, 16, 16, 0)})
	r = plan(t, Standard, 3, jst(2026, 11, 14, 11, 0), jst(2026, 11, 14, 11, 0))
	check(t, r, wantDeadline{target: FirstResponse, state: Pending, due: jst(2026, 11, 16, 17, 30)})
}

// Premium severity 1, accepted Monday 10:00 UTC: first response 1h, cadence
// 2h, support manager 2h.
func TestPauseResume24x7(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	events := []Event{
		at(Acknowledged, utc(2026, 6, 1, 10, 30)),
		at(WaitStarted, utc(2026, 6, 1, 11, 0)),
		at(WaitEnded, utc(2026, 6, 1, 13, 0)),
	}
	// During the wait: cadence ran 10:30–11:00 (1h30 left), the manager
	// clock 10:00–11:00 (1h left).
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 0), events[:2]...)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Met, due: utc(2026, 6, 1, 11, 0), metAt: utc(2026, 6, 1, 10, 30)},
		wantDeadline{target: UpdateCadence, state: Paused, remaining: 90 * time.Minute},
		wantDeadline{target: SupportManager, state: Paused, remaining: time.Hour})
	// After it: both resume at 13:00 with what was left.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 13, 30), events...)
	check(t, r,
		wantDeadline{target: UpdateCadence, state: Pending, due: utc(2026, 6, 1, 14, 30)},
		wantDeadline{target: SupportManager, state: Pending, due: utc(2026, 6, 1, 14, 0)})
	sm := deadline(t, r, SupportManager)
	if !strings.Contains(sm.Explanation.String(), "paused (waiting on customer), 1h left") {
		t.Errorf("explanation lacks the pause:\n%s", sm.Explanation)
	}
}

// Waiting does not pause the first response.
func TestWaitDoesNotPauseFirstResponse(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	r := plan(t, Premium, 2, acc, utc(2026, 6, 1, 12, 30),
		at(WaitStarted, utc(2026, 6, 1, 10, 30)), at(WaitEnded, utc(2026, 6, 1, 12, 0)))
	check(t, r,
		wantDeadline{target: FirstResponse, state: Breached, due: utc(2026, 6, 1, 12, 0), breached: utc(2026, 6, 1, 12, 0)},
		// 72h moved by the 1h30 wait.
		wantDeadline{target: SupportManager, state: Pending, due: utc(2026, 6, 4, 11, 30)})
}

// Standard severity 2 on jp-business, accepted Tue 2026-11-17 10:00 JST.
// Ack 11:00 starts a 1-business-day cadence: 11:00–16:00 counted (5h)
// before the wait, 3h30 left.
func TestPauseResumeBusiness(t *testing.T) {
	acc := jst(2026, 11, 17, 10, 0)
	ack, wait := at(Acknowledged, jst(2026, 11, 17, 11, 0)), at(WaitStarted, jst(2026, 11, 17, 16, 0))

	r := plan(t, Standard, 2, acc, jst(2026, 11, 18, 12, 0), ack, wait)
	check(t, r,
		// 8h from Tue 10:00: 7h30 Tue, Wed 09:00+30m; met at 11:00.
		wantDeadline{target: FirstResponse, state: Met, due: jst(2026, 11, 18, 9, 30), metAt: jst(2026, 11, 17, 11, 0)},
		wantDeadline{target: UpdateCadence, state: Paused, remaining: 3*time.Hour + 30*time.Minute})
	noDeadline(t, r, SupportManager) // on request
	noDeadline(t, r, Executive)

	// Customer answers Thu 10:00: due Thu 13:30.
	r = plan(t, Standard, 2, acc, jst(2026, 11, 19, 10, 0), ack, wait, at(WaitEnded, jst(2026, 11, 19, 10, 0)))
	check(t, r, wantDeadline{target: UpdateCadence, state: Pending, due: jst(2026, 11, 19, 13, 30)})

	// Customer answers on Saturday: counting resumes Tue 11-24 09:00 (Mon
	// is 勤労感謝の日), due 12:30.
	r = plan(t, Standard, 2, acc, jst(2026, 11, 21, 10, 0), ack, wait, at(WaitEnded, jst(2026, 11, 21, 10, 0)))
	check(t, r, wantDeadline{target: UpdateCadence, state: Pending, due: jst(2026, 11, 24, 12, 30)})
	text := deadline(t, r, UpdateCadence).Explanation.String()
	for _, line := range []string{
		"Tue 2026-11-17 11:00–16:00 JST: 5h counted, 3h30m left",
		"Tue 2026-11-17 16:00 JST: paused (waiting on customer), 3h30m left",
		"Sat 2026-11-21 10:00 JST: resumed (customer answered), 3h30m left",
		"Sat 2026-11-21 – Sun 2026-11-22 closed: no opening hours, skipped",
		"Mon 2026-11-23 closed: 勤労感謝の日 (Labour Thanksgiving Day), skipped",
		"Tue 2026-11-24 09:00–12:30 JST: 3h30m counted",
		"due Tue 2026-11-24 12:30 JST",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("explanation lacks %q:\n%s", line, text)
		}
	}
}

// Standard severity 3 raised to 1: first response and support manager are
// planned again from the change on the 24x7 clock.
func TestSeverityUp(t *testing.T) {
	acc := jst(2026, 11, 17, 10, 0)
	up := Event{Kind: SeverityChanged, At: jst(2026, 11, 17, 12, 0), Severity: 1}
	r := plan(t, Standard, 3, acc, jst(2026, 11, 17, 12, 30), up)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Pending, due: jst(2026, 11, 17, 16, 0)},
		wantDeadline{target: SupportManager, state: Pending, due: jst(2026, 11, 18, 12, 0)})
	noDeadline(t, r, UpdateCadence) // not acknowledged yet
	fr := deadline(t, r, FirstResponse)
	if fr.Severity != 1 || fr.Clock != "24x7" || !strings.Contains(fr.Explanation.String(), "severity changed to 1") {
		t.Errorf("first response after the change: %+v\n%s", fr, fr.Explanation)
	}
	// Acknowledged at 13:00: first response met, cadence 24h.
	r = plan(t, Standard, 3, acc, jst(2026, 11, 17, 13, 30), up, at(Acknowledged, jst(2026, 11, 17, 13, 0)))
	check(t, r,
		wantDeadline{target: FirstResponse, state: Met, due: jst(2026, 11, 17, 16, 0), metAt: jst(2026, 11, 17, 13, 0)},
		wantDeadline{target: UpdateCadence, state: Pending, due: jst(2026, 11, 18, 13, 0)})
}

// Premium severity 1 lowered to 3 at 11:00 UTC.
func TestSeverityDown(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	down := Event{Kind: SeverityChanged, At: utc(2026, 6, 1, 11, 0), Severity: 3}
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 11, 30), at(Acknowledged, utc(2026, 6, 1, 10, 20)), down)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Met, due: utc(2026, 6, 1, 11, 0), metAt: utc(2026, 6, 1, 10, 20)},
		wantDeadline{target: UpdateCadence, state: Cancelled}, // severity 3 has none
		wantDeadline{target: SupportManager, state: Pending, due: utc(2026, 6, 8, 11, 0)})

	// Not acknowledged: the first response breached at 11:00 keeps its
	// record when the severity is lowered at 11:30.
	down.At = utc(2026, 6, 1, 11, 30)
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 0), down)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Breached, due: utc(2026, 6, 1, 11, 0), breached: utc(2026, 6, 1, 11, 0)},
		wantDeadline{target: SupportManager, state: Pending, due: utc(2026, 6, 8, 11, 30)})
}

func TestLateFirstResponseStaysBreached(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 0), at(Acknowledged, utc(2026, 6, 1, 11, 20)))
	check(t, r, wantDeadline{target: FirstResponse, state: Breached, due: utc(2026, 6, 1, 11, 0),
		breached: utc(2026, 6, 1, 11, 0), metAt: utc(2026, 6, 1, 11, 20)})
	// Acknowledged exactly at the due time is in time.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 0), at(Acknowledged, utc(2026, 6, 1, 11, 0)))
	check(t, r, wantDeadline{target: FirstResponse, state: Met, due: utc(2026, 6, 1, 11, 0), metAt: utc(2026, 6, 1, 11, 0)})
	// now exactly at the due time is a breach.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 11, 0))
	check(t, r, wantDeadline{target: FirstResponse, state: Breached, due: utc(2026, 6, 1, 11, 0), breached: utc(2026, 6, 1, 11, 0)})
}

func TestCadenceCycles(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	ack := at(Acknowledged, utc(2026, 6, 1, 10, 0))
	// Updates at 11:00 and 12:30 (2h cadence): due 14:30.
	r := plan(t, Premium, 1, acc, utc(2026, 6, 1, 13, 0), ack,
		at(PublicUpdate, utc(2026, 6, 1, 11, 0)), at(PublicUpdate, utc(2026, 6, 1, 12, 30)))
	check(t, r, wantDeadline{target: UpdateCadence, state: Pending, due: utc(2026, 6, 1, 14, 30)})
	// A cycle missed at 12:00, then an update at 13:00 opens a new one.
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 12, 30), ack)
	check(t, r, wantDeadline{target: UpdateCadence, state: Breached, due: utc(2026, 6, 1, 12, 0), breached: utc(2026, 6, 1, 12, 0)})
	r = plan(t, Premium, 1, acc, utc(2026, 6, 1, 13, 30), ack, at(PublicUpdate, utc(2026, 6, 1, 13, 0)))
	check(t, r, wantDeadline{target: UpdateCadence, state: Pending, due: utc(2026, 6, 1, 15, 0)})
}

func TestUnsortedEventsAndClamping(t *testing.T) {
	acc := utc(2026, 6, 1, 10, 0)
	sorted := plan(t, Premium, 1, acc, utc(2026, 6, 1, 13, 30),
		at(Acknowledged, utc(2026, 6, 1, 10, 30)), at(WaitStarted, utc(2026, 6, 1, 11, 0)), at(WaitEnded, utc(2026, 6, 1, 13, 0)))
	shuffled := plan(t, Premium, 1, acc, utc(2026, 6, 1, 13, 30),
		at(WaitEnded, utc(2026, 6, 1, 13, 0)), at(Acknowledged, utc(2026, 6, 1, 10, 30)), at(WaitStarted, utc(2026, 6, 1, 11, 0)))
	for i := range sorted.Deadlines {
		if !sorted.Deadlines[i].DueAt.Equal(shuffled.Deadlines[i].DueAt) || sorted.Deadlines[i].State != shuffled.Deadlines[i].State {
			t.Errorf("order matters: %+v vs %+v", sorted.Deadlines[i], shuffled.Deadlines[i])
		}
	}
	// An acknowledgement stamped a second before acceptance counts at acceptance.
	r := plan(t, Premium, 1, acc, acc, at(Acknowledged, acc.Add(-time.Second)))
	check(t, r, wantDeadline{target: FirstResponse, state: Met, due: utc(2026, 6, 1, 11, 0), metAt: acc})
}

func TestPlanErrors(t *testing.T) {
	cals := defaultCalendarSet()
	acc := utc(2026, 6, 1, 10, 0)
	tests := []struct {
		field string
		in    Incident
	}{
		{"tier", Incident{Tier: Standard, Severity: 1, AcceptedAt: acc}},
		{"severity", Incident{Tier: Premium, Severity: 0, AcceptedAt: acc}},
		{"accepted_at", Incident{Tier: Premium, Severity: 1}},
		{"events[0].severity", Incident{Tier: Premium, Severity: 1, AcceptedAt: acc, Events: []Event{{Kind: SeverityChanged, At: acc, Severity: 9}}}},
		{"events[0].level", Incident{Tier: Premium, Severity: 1, AcceptedAt: acc, Events: []Event{{Kind: Escalated, At: acc}}}},
		{"events[0].due_at", Incident{Tier: Premium, Severity: 1, AcceptedAt: acc, Events: []Event{{Kind: RemediationAgreed, At: acc}}}},
		{"events[0].scope", Incident{Tier: Premium, Severity: 1, AcceptedAt: acc, Events: []Event{{Kind: ScopeChanged, At: acc}}}},
		{"events[0].kind", Incident{Tier: Premium, Severity: 1, AcceptedAt: acc, Events: []Event{{Kind: "lunch", At: acc}}}},
		{"events[0].at", Incident{Tier: Premium, Severity: 1, AcceptedAt: acc, Events: []Event{{Kind: Resolved}}}},
	}
	for _, tt := range tests {
		_, err := Plan(policyFor(Premium), cals, tt.in, acc)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("want FieldError on %s, got %v", tt.field, err)
		}
	}
	_, err := Plan(policyFor(Standard), Calendars{}, Incident{Tier: Standard, Severity: 3, AcceptedAt: acc}, acc)
	if !errors.Is(err, ErrUnknownCalendar) {
		t.Errorf("missing calendar: %v", err)
	}
}

func TestSecondsPolicyForDrills(t *testing.T) {
	p := policyFor(Premium).Merge([]Cell{{Severity: 1, Target: FirstResponse, Kind: Duration, Duration: 2 * time.Second, Clock: "24x7"}})
	acc := utc(2026, 6, 1, 10, 0)
	r, err := Plan(p, nil, Incident{Tier: Premium, Severity: 1, AcceptedAt: acc}, acc)
	if err != nil {
		t.Fatal(err)
	}
	check(t, r, wantDeadline{target: FirstResponse, state: Pending, due: acc.Add(2 * time.Second)})
	if next, ok := r.Next(); !ok || next.Target != FirstResponse {
		t.Errorf("Next = %+v", next)
	}
	if got := deadline(t, r, FirstResponse).Explanation.Lines()[0]; got != "policy premium v1, severity 1, first_response: 2s on 24x7" {
		t.Errorf("policy line = %q", got)
	}
}

// Calendars and policies are shared by concurrent plans (run with -race).
func TestConcurrentPlans(t *testing.T) {
	cals, p := defaultCalendarSet(), policyFor(Standard)
	want, err := Plan(p, cals, benchIncident(), jst(2026, 11, 25, 11, 0))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Result)
	for range 8 {
		go func() {
			r, _ := Plan(p, cals, benchIncident(), jst(2026, 11, 25, 11, 0))
			done <- r
		}()
	}
	for range 8 {
		r := <-done
		for i, d := range r.Deadlines {
			if !d.DueAt.Equal(want.Deadlines[i].DueAt) || d.Explanation.String() != want.Deadlines[i].Explanation.String() {
				t.Errorf("concurrent plan differs: %+v", d)
			}
		}
	}
}

// Standard severity 2 waiting on the customer is raised to severity 1:
// the new 24x7 targets are planned from the change but start paused, and
// run from the customer's answer with their full length.
func TestSeverityChangeWhileWaiting(t *testing.T) {
	acc := jst(2026, 11, 17, 10, 0)
	events := []Event{
		at(Acknowledged, jst(2026, 11, 17, 11, 0)),
		at(WaitStarted, jst(2026, 11, 17, 16, 0)),
		{Kind: SeverityChanged, At: jst(2026, 11, 18, 10, 0), Severity: 1},
		at(WaitEnded, jst(2026, 11, 18, 12, 0)),
	}
	r := plan(t, Standard, 2, acc, jst(2026, 11, 18, 11, 0), events[:3]...)
	check(t, r,
		wantDeadline{target: FirstResponse, state: Met, due: jst(2026, 11, 18, 9, 30), metAt: jst(2026, 11, 17, 11, 0)},
		wantDeadline{target: UpdateCadence, state: Paused, remaining: 24 * time.Hour},
		wantDeadline{target: SupportManager, state: Paused, remaining: 24 * time.Hour})
	r = plan(t, Standard, 2, acc, jst(2026, 11, 18, 13, 0), events...)
	check(t, r,
		wantDeadline{target: UpdateCadence, state: Pending, due: jst(2026, 11, 19, 12, 0)},
		wantDeadline{target: SupportManager, state: Pending, due: jst(2026, 11, 19, 12, 0)})
	if cad := deadline(t, r, UpdateCadence); cad.Clock != "24x7" || cad.Severity != 1 {
		t.Errorf("cadence after the change: clock %s, severity %d", cad.Clock, cad.Severity)
	}
	if next, ok := r.Next(); !ok || !next.DueAt.Equal(jst(2026, 11, 19, 12, 0)) {
		t.Errorf("Next = %+v", next)
	}
}

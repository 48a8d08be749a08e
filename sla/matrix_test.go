package sla

import (
	"testing"
	"time"
)

// TestPlanEveryCell plans every cell of the default matrix for an incident
// accepted Friday 2026-11-20 16:00 JST (Monday 11-23 is 勤労感謝の日) and
// acknowledged at 17:00, and checks each target's due time or that it has
// no timer. Expected values are worked out by hand:
//
//	jp 8h from Fri 16:00: 1h30 Fri, Sat–Mon closed, Tue 09:00+6h30 = Tue 15:30
//	jp 1 business day (8h30) from Fri 16:00: Tue 09:00+7h = Tue 16:00
//	jp 1 business day from the ack Fri 17:00: 30m Fri, Tue 09:00+8h = Tue 17:00
func TestPlanEveryCell(t *testing.T) {
	accepted, ack := jst(2026, 11, 20, 16, 0), jst(2026, 11, 20, 17, 0)
	none := time.Time{}
	fri := func(h int) time.Time { return jst(2026, 11, 20, h, 0) }
	sat := func(h int) time.Time { return jst(2026, 11, 21, h, 0) }
	tue := func(h, m int) time.Time { return jst(2026, 11, 24, h, m) }
	mon16, sat00, nextFri16 := jst(2026, 11, 23, 16, 0), jst(2026, 11, 21, 0, 0), jst(2026, 11, 27, 16, 0)

	// first_response, update_cadence (from the ack), support_manager, executive
	want := map[Tier][4][4]time.Time{
		Standard: {
			{fri(20), sat(17), sat(16), none},
			{tue(15, 30), tue(17, 0), none, none},
			{tue(16, 0), none, none, none},
			{tue(16, 0), none, none, none},
		},
		Premium: {
			{fri(17), fri(19), fri(18), none},
			{fri(18), sat(17), mon16, none},
			{sat(16), none, nextFri16, none},
			{sat(16), none, none, none},
		},
		Platinum: {
			{fri(17), fri(19), fri(18), sat00},
			{fri(18), sat(17), mon16, none},
			{sat(16), none, nextFri16, none},
			{sat(16), none, nextFri16, none},
		},
	}
	for tier, rows := range want {
		for sev := 1; sev <= 4; sev++ {
			// Without the ack for first_response and escalations (so they
			// stay pending), with it for the cadence.
			plain := plan(t, tier, sev, accepted, accepted)
			acked := plan(t, tier, sev, accepted, ack, at(Acknowledged, ack))
			for i, tg := range PolicyTargets {
				r := plain
				if tg == UpdateCadence {
					r = acked
				}
				d, ok := r.Deadline(tg)
				w := rows[sev-1][i]
				switch {
				case w.IsZero() && ok:
					t.Errorf("%s sev %d %s: want no timer, got due %v", tier, sev, tg, d.DueAt)
				case !w.IsZero() && !ok:
					t.Errorf("%s sev %d %s: no deadline, want %v", tier, sev, tg, w)
				case ok && (!d.DueAt.Equal(w) || d.State != Pending):
					t.Errorf("%s sev %d %s: due %v (%s), want %v pending", tier, sev, tg, d.DueAt, d.State, w)
				}
				if ok && (d.PolicyVersion != 1 || d.Level != tg.Level() || d.Severity != sev) {
					t.Errorf("%s sev %d %s: %+v", tier, sev, tg, d)
				}
			}
		}
	}
}

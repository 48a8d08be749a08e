package sla

import (
	"testing"
	"time"
)

// benchIncident is a standard severity 2 incident on jp-business accepted
// the Friday before a holiday Monday, acknowledged, updated, and waiting on
// the customer for a while: every timed target of its cell is planned and
// the business calendar is walked across a weekend and a holiday.
func benchIncident() Incident {
	return Incident{Tier: Standard, Severity: 2, AcceptedAt: jst(2026, 11, 20, 16, 0), Events: []Event{
		at(Acknowledged, jst(2026, 11, 20, 17, 0)),
		at(PublicUpdate, jst(2026, 11, 24, 10, 0)),
		at(WaitStarted, jst(2026, 11, 24, 14, 0)),
		at(WaitEnded, jst(2026, 11, 25, 10, 0)),
	}}
}

// BenchmarkPlan is the planner's speed contract: at least 200,000 plans per
// second per core, i.e. at most 5 µs/op with
//
//	go test ./sla -run '^$' -bench BenchmarkPlan -cpu 1 -benchmem
//
// Measured while writing it (shared 2-core VM under a load average of 3–4):
// 2.5–4.5 µs/op, 1504 B/op, 2 allocs/op (the result's deadlines and steps).
func BenchmarkPlan(b *testing.B) {
	p, cals, in, now := policyFor(Standard), defaultCalendarSet(), benchIncident(), jst(2026, 11, 25, 11, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(p, cals, in, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanPlatinum plans every target of the matrix's fullest cell
// (platinum severity 1: four timers) plus a remediation agreement.
func BenchmarkPlanPlatinum(b *testing.B) {
	acc := utc(2026, 6, 1, 10, 0)
	in := Incident{Tier: Platinum, Severity: 1, AcceptedAt: acc, Events: []Event{
		at(Acknowledged, acc.Add(30*time.Minute)),
		at(WaitStarted, acc.Add(time.Hour)),
		at(WaitEnded, acc.Add(90*time.Minute)),
		{Kind: RemediationAgreed, At: acc.Add(2 * time.Hour), DueAt: acc.Add(48 * time.Hour)},
	}}
	p, cals, now := policyFor(Platinum), defaultCalendarSet(), acc.Add(3*time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Plan(p, cals, in, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddOpen(b *testing.B) {
	cal, start := jpBusiness(b), jst(2026, 12, 28, 15, 0)
	b.ReportAllocs()
	for b.Loop() {
		cal.AddOpen(start, bd)
	}
}

func BenchmarkCompile(b *testing.B) {
	spec := DefaultCalendars()[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(spec); err != nil {
			b.Fatal(err)
		}
	}
}

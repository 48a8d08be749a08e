package tickets_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/report"
)

// TestSLAReport checks the report on a small data set whose figures are worked out by hand:
// three premium severity-1 incidents (first response due after 1 h): A acknowledged after 30 min,
// B after 2 h (breached at 1 h), C never (breached). Both A and B were assigned after 10 min over
// the web. Expected: 3 incidents, 1 met, 2 breached, time to first response median 75 min
// (4500 s) and p90 30 + 0.9 × 90 = 111 min (6660 s); mean time to assign 600 s against the 1 h
// premium web target.
func TestSLAReport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gdb := testenv.DB(t)
	// Other tests of this package accept incidents on 2026-11-20: this period is 2026-11-02.
	t0 := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	ent, err := entitlement.NewService(entitlement.NewStore(gdb), f.acc, f.clock).Create(ctx, f.admin, *f.memberA.OrganizationID,
		entitlement.Entitlement{Product: "endpoint", Tier: "premium", LicenseType: entitlement.Subscription,
			StartsAt: t0.AddDate(0, -1, 0), EndsAt: t0.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(gdb), Entitler: contractEntitler{id: ent.ID}, Planner: catalog.New(catalog.NewStore(gdb), f.clock), Users: f.acc, Clock: f.clock})
	f.clock.Set(t0)
	var ids []uuid.UUID
	for _, title := range []string{"A", "B", "C"} {
		inc, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: title, Description: "d", Severity: sev(1)}, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inc.ID)
	}
	f.clock.Set(t0.Add(10 * time.Minute))
	for _, id := range ids[:2] {
		if _, err := svc.Assign(ctx, f.admin, id, f.engineer.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Set(t0.Add(30 * time.Minute))
	if _, err := svc.Acknowledge(ctx, f.engineer, ids[0], ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0.Add(time.Hour + time.Second))
	for _, id := range ids[1:] {
		var timer []string
		gdb.Raw("SELECT id::text FROM sla_timers WHERE incident_id = ? AND target = 'first_response' AND state = 'pending' AND warning = 0", id).Scan(&timer)
		if len(timer) != 1 {
			t.Fatalf("no first-response timer for %s", id)
		}
		if out, err := svc.FireTimers(ctx, []uuid.UUID{uuid.MustParse(timer[0])}); err != nil || out[0].Err != nil || out[0].Outcome != tickets.OutcomeBreached {
			t.Fatalf("fire: %v %v", out, err)
		}
	}
	f.clock.Set(t0.Add(2 * time.Hour))
	if _, err := svc.Acknowledge(ctx, f.engineer, ids[1], ""); err != nil {
		t.Fatal(err)
	}
	rep, err := report.New(report.NewStore(gdb)).SLA(ctx, f.admin, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	r := rep.Rows[0]
	if r.Tier != "premium" || r.Severity != 1 || r.Incidents != 3 || r.FirstResponseMet != 1 || r.FirstResponseBreached != 2 {
		t.Fatalf("row %+v", r)
	}
	if r.FirstResponseMedianSec == nil || *r.FirstResponseMedianSec != 4500 || r.FirstResponseP90Sec == nil || *r.FirstResponseP90Sec != 6660 {
		t.Fatalf("time to first response: median %v p90 %v", deref(r.FirstResponseMedianSec), deref(r.FirstResponseP90Sec))
	}
	if len(rep.Handoffs) != 1 || rep.Handoffs[0].Channel != "web" || rep.Handoffs[0].Assigned != 2 ||
		*rep.Handoffs[0].MeanSeconds != 600 || rep.Handoffs[0].TargetSeconds != 3600 || !*rep.Handoffs[0].WithinTarget {
		t.Fatalf("handoffs %+v", rep.Handoffs)
	}
	if _, err := report.New(report.NewStore(gdb)).SLA(ctx, f.memberA, t0, t0.Add(time.Hour)); err == nil {
		t.Fatal("a customer read the SLA report")
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// TestEscalationByDeadline: a premium severity-1 incident whose support-manager deadline (2 h)
// passes is escalated, not breached, at exactly its due time, and the report counts one level-1
// escalation by deadline. The single read explains each target to staff only; lists do not.
func TestEscalationByDeadline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gdb := testenv.DB(t)
	t0 := time.Date(2026, 10, 5, 1, 0, 0, 0, time.UTC) // a period no other test of this package uses
	ent, err := entitlement.NewService(entitlement.NewStore(gdb), f.acc, f.clock).Create(ctx, f.admin, *f.memberA.OrganizationID,
		entitlement.Entitlement{Product: "endpoint", Tier: "premium", LicenseType: entitlement.Subscription,
			StartsAt: t0.AddDate(0, -1, 0), EndsAt: t0.AddDate(1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(gdb), Entitler: contractEntitler{id: ent.ID}, Planner: catalog.New(catalog.NewStore(gdb), f.clock), Users: f.acc, Clock: f.clock})
	f.clock.Set(t0)
	inc, _, err := svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "x", Description: "d", Severity: sev(1)}, "")
	if err != nil {
		t.Fatal(err)
	}
	var timer []string
	gdb.Raw("SELECT id::text FROM sla_timers WHERE incident_id = ? AND target = 'support_manager' AND state = 'pending' AND warning = 0", inc.ID).Scan(&timer)
	if len(timer) != 1 {
		t.Fatal("no support-manager timer")
	}
	f.clock.Set(t0.Add(2*time.Hour + 300*time.Millisecond))
	if out, err := svc.FireTimers(ctx, []uuid.UUID{uuid.MustParse(timer[0])}); err != nil || out[0].Err != nil || out[0].Outcome != tickets.OutcomeEscalated {
		t.Fatalf("fire: %v %v", out, err)
	}
	got, err := svc.Get(ctx, f.engineer, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range got.SLA.Targets {
		if len(tg.Explanation) == 0 {
			t.Errorf("%s: no explanation on the single read", tg.Target)
		}
		if tg.Target != "support_manager" {
			continue
		}
		if tg.State != sla.StateEscalated || tg.Cause != sla.CauseDeadline || tg.EscalatedAt == nil ||
			!tg.EscalatedAt.Equal(t0.Add(2*time.Hour)) || tg.BreachedAt != nil {
			t.Errorf("support_manager: %+v", tg)
		}
	}
	asCustomer, err := svc.Get(ctx, f.memberA, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.List(ctx, f.engineer, tickets.Filter{OrganizationID: f.memberA.OrganizationID})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range append(page.Items, asCustomer) {
		for _, tg := range i.SLA.Targets {
			if len(tg.Explanation) > 0 {
				t.Fatalf("explanation in a list or a customer's read: %+v", tg)
			}
		}
	}
	rep, err := report.New(report.NewStore(gdb)).SLA(ctx, f.admin, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 1 {
		t.Fatalf("rows %+v", rep.Rows)
	}
	r := rep.Rows[0]
	if r.EscalationsLevel1 != 1 || r.EscalationsLevel1Deadline != 1 || r.EscalationsLevel1Request != 0 ||
		r.EscalationsLevel1HigherLevel != 0 || r.EscalationsLevel2 != 0 {
		t.Fatalf("escalations in the report: %+v", r)
	}
}

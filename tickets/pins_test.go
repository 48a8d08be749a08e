package tickets_test

import (
	"context"
	"github.com/supportd/supportd/tickets/ticketstest"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

// pendingTimer is the id of the incident's pending timer of target.
func pendingTimer(t *testing.T, db *gorm.DB, inc tickets.Incident, target string) uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND target = ? AND state = 'pending' AND warning = 0", inc.ID, target).Scan(&ids).Error; err != nil || len(ids) != 1 {
		t.Fatalf("%s timer of %s: %v %v", target, inc.Reference, ids, err)
	}
	return ids[0]
}

// shortDays is jp-business with mornings only: every business-calendar deadline moves.
func shortDays() catalog.Calendar {
	week := map[string][]catalog.Interval{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		week[d] = []catalog.Interval{{Open: "09:00", Close: "12:00"}}
	}
	return catalog.Calendar{TimeZone: "Asia/Tokyo", Weekly: week, NationalHolidays: "jp"}
}

// TestClosedIncidentKeepsItsCalendars: an incident is pinned to the calendar versions it was
// planned with. After its first response was breached and it was resolved, an edit of its
// calendar changes neither its sla block nor the breach its timeline recorded, and the two agree.
// (Its own database: the test edits jp-business, which every other test plans with.)
func TestClosedIncidentKeepsItsCalendars(t *testing.T) {
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	f := newFixtureOn(t, db)
	ctx := context.Background()
	cat := catalog.New(catalog.NewStore(db), f.clock)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: cat, Users: f.acc, Clock: f.clock})
	// Standard severity 2: first response 8 h on jp-business.
	inc, _, err := svc.Open(ctx, f.memberB, tickets.NewIncident{Product: "endpoint", Title: "slow", Description: "d", Severity: sev(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	due := *firstResponse(t, inc.SLA).DueAt
	f.clock.Set(due.Add(time.Minute))
	out, err := svc.FireTimers(ctx, []uuid.UUID{pendingTimer(t, db, inc, "first_response")})
	if err != nil || out[0].Outcome != tickets.OutcomeBreached {
		t.Fatalf("fire: %+v %v", out, err)
	}
	if _, err := svc.Resolve(ctx, f.engineer, inc.ID, "fixed"); err != nil {
		t.Fatal(err)
	}
	before, err := svc.Get(ctx, f.engineer, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.PutCalendar(ctx, f.admin.ID, sla.JPBusiness, shortDays()); err != nil {
		t.Fatal(err)
	}
	// A new incident plans on the edited calendar: the edit is in force.
	fresh, _, err := svc.Open(ctx, f.memberB, tickets.NewIncident{Product: "endpoint", Title: "new", Description: "d", Severity: sev(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := firstResponse(t, fresh.SLA); got.DueAt.Sub(f.clock.Now()) <= 8*time.Hour {
		t.Fatalf("the new incident is not planned on mornings only: due %v, now %v", got.DueAt, f.clock.Now())
	}
	after, err := svc.Get(ctx, f.engineer, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before.SLA, after.SLA) {
		t.Fatalf("a calendar edit re-planned a closed incident:\nbefore %+v\nafter  %+v", before.SLA.Targets, after.SLA.Targets)
	}
	fr := firstResponse(t, after.SLA)
	if fr.State != sla.Breached || !fr.DueAt.Equal(due) {
		t.Fatalf("first response %+v, want breached due %v", fr, due)
	}
	evs, err := svc.Timeline(ctx, f.engineer, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var recorded time.Time
	for _, e := range evs {
		if e.Kind == "sla_breached" && e.Data["target"] == "first_response" {
			recorded, _ = time.Parse(time.RFC3339Nano, e.Data["due_at"].(string))
		}
	}
	if !recorded.Equal(*fr.DueAt) {
		t.Fatalf("the timeline recorded a breach due %v, the sla block says %v", recorded, fr.DueAt)
	}
}

func firstResponse(t *testing.T, block *tickets.SLA) catalog.Target {
	t.Helper()
	if block != nil {
		for _, tg := range block.Targets {
			if tg.Target == sla.FirstResponse && tg.DueAt != nil {
				return tg
			}
		}
	}
	t.Fatalf("no first-response target in %+v", block)
	return catalog.Target{}
}

// TestPlanningNeedsOneConnection: with a pool of one connection, planning inside a transaction
// must read nothing. A calendar edit between two lifecycle steps, and a firing batch that mixes
// tiers on a catalogue that has loaded neither tier's policy, both complete: their snapshots are
// taken before the transaction opens.
func TestPlanningNeedsOneConnection(t *testing.T) {
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	f := newFixtureOn(t, db)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1)
	// A read inside a transaction would wait for a second connection for ever: fail instead.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cat := catalog.New(catalog.NewStore(db), f.clock)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: cat, Users: f.acc, Clock: f.clock})
	open := func(member tickets.NewIncident, who int) tickets.Incident {
		actor := f.memberA
		if who == 1 {
			actor = f.memberB
		}
		inc, _, err := svc.Open(ctx, actor, member, "")
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	premium := open(tickets.NewIncident{Product: "endpoint", Title: "p", Description: "d", Severity: sev(1)}, 0)
	standard := open(tickets.NewIncident{Product: "endpoint", Title: "s", Description: "d", Severity: sev(1)}, 1)
	if _, err := svc.Assign(ctx, f.admin, premium.ID, f.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.PutCalendar(ctx, f.admin.ID, sla.JPBusiness, shortDays()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Acknowledge(ctx, f.engineer, premium.ID, ""); err != nil {
		t.Fatal(err)
	}
	// A new process: its catalogue has loaded nothing. Premium and standard severity 1 first
	// responses (1 h and 4 h) are both due.
	cold := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Users: f.acc, Clock: f.clock})
	f.clock.Advance(5 * time.Hour)
	ids := []uuid.UUID{pendingTimer(t, db, standard, "first_response"), pendingTimer(t, db, premium, "update_cadence")}
	out, err := cold.FireTimers(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		if o.Err != nil || o.Outcome != tickets.OutcomeBreached {
			t.Fatalf("timer %d: %+v", i, o)
		}
	}
}

// TestSLABlockFromPlanningEventsOnly: the sla block is planned from the events planning reads,
// with only the data it reads (no explanations); it equals the plan of the whole timeline, for a
// set of incidents holding every kind of entry.
func TestSLABlockFromPlanningEventsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	k := makeEveryKind(t, f, db)
	cat := catalog.New(catalog.NewStore(db), f.clock)
	for _, id := range k.incidents {
		got, err := k.svc.Get(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		full, err := k.svc.Timeline(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := cat.Snapshot(ctx, catalog.Pin{Tier: sla.Tier(got.Tier), Policy: got.PolicyVersion, Calendars: got.CalendarVersions})
		if err != nil {
			t.Fatal(err)
		}
		want, err := snap.Plan(tickets.PlanInput(got, full), f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Deadlines) != len(got.SLA.Targets) {
			t.Fatalf("%s: %d targets, want %d", got.Reference, len(got.SLA.Targets), len(want.Deadlines))
		}
		for i, d := range want.Deadlines {
			w := catalog.FromDeadline(d, true)
			w.Steps = nil
			if !reflect.DeepEqual(w, got.SLA.Targets[i]) {
				t.Fatalf("%s target %d:\ngot  %+v\nwant %+v", got.Reference, i, got.SLA.Targets[i], w)
			}
		}
	}
}

package tickets_test

import (
	"context"
	"fmt"
	"github.com/supportd/supportd/tickets/ticketstest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

// everyKind is a set of incidents whose timelines hold one entry of every kind the engine writes,
// each made through the service as in production, with the readers of each audience.
type everyKind struct {
	svc       *tickets.Service
	incidents []uuid.UUID
	member    accounts.User // the customer organisation's member who opened them
	orgAdmin  accounts.User
	engineer  accounts.User
	manager   accounts.User
	secrets   []string // staff-only text written into the timelines
}

// makeEveryKind writes one entry of every kind: the lifecycle of a standard severity-2 incident
// (note, acknowledgement, wait, reply, escalation on request, remediation, severity and scope
// changes, resolve, reopen), reclassifications approved and rejected, and a severity-1 incident
// whose first-response and support-manager deadlines pass (a breach and an escalation by timer).
func makeEveryKind(t *testing.T, f fixture, db *gorm.DB) everyKind {
	t.Helper()
	ctx := context.Background()
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: f.acc}, Planner: catalog.New(catalog.NewStore(db), f.clock), Users: f.acc, Clock: f.clock})
	// Staff of an office of their own: other tests count the escalation recipients in tokyo.
	office := "audience-" + uuid.NewString()[:8]
	mk := func(role accounts.Role, org *uuid.UUID) accounts.User {
		u, err := f.acc.CreateUser(ctx, f.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%s@aud.example", role, uuid.NewString()[:8]),
			Name: string(role), Role: role, OrganizationID: org, Office: office})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	k := everyKind{svc: svc, member: f.memberB, orgAdmin: mk(accounts.OrgAdmin, f.memberB.OrganizationID),
		engineer: f.engineer, manager: mk(accounts.SupportManager, nil)}
	must := func(_ tickets.Incident, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	open := func(severity int) tickets.Incident {
		t.Helper()
		inc, _, err := svc.Open(ctx, k.member, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: sev(severity)}, "")
		if err != nil {
			t.Fatal(err)
		}
		k.incidents = append(k.incidents, inc.ID)
		return inc
	}
	note, scopeReason := "INTERNAL: customer is on a pirated build", "SCOPE: custom kernel module"
	k.secrets = []string{note, scopeReason}

	x := open(2) // standard severity 2: the support manager on request
	must(svc.Assign(ctx, k.engineer, x.ID, k.engineer.ID))
	must(svc.PostUpdate(ctx, k.engineer, x.ID, note, false))
	must(svc.Acknowledge(ctx, k.engineer, x.ID, "looking"))
	must(svc.PostUpdate(ctx, k.engineer, x.ID, "we reproduced it", true))
	must(svc.Wait(ctx, k.engineer, x.ID, "please send the agent logs"))
	must(svc.PostUpdate(ctx, k.member, x.ID, "logs attached", true))
	must(svc.RequestEscalation(ctx, k.member, x.ID, 1, "production is down"))
	if err := svc.NoteEscalationAcknowledged(ctx, k.manager, x.ID, uuid.New(), 1); err != nil {
		t.Fatal(err)
	}
	must(svc.AgreeRemediation(ctx, k.manager, x.ID, "hotfix build", f.clock.Now().Add(48*time.Hour)))
	must(svc.Patch(ctx, k.engineer, x.ID, sev(1), nil, "outage spread to every site"))
	scope := tickets.ScopeEnvironment
	must(svc.Patch(ctx, k.engineer, x.ID, nil, &scope, scopeReason))
	must(svc.Resolve(ctx, k.engineer, x.ID, "hotfix applied"))
	must(svc.Reopen(ctx, k.member, x.ID, "it came back"))

	for _, approve := range []bool{true, false} {
		y := open(3)
		req, _, err := svc.RequestReclassification(ctx, k.member, y.ID, "worse than it looks")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.DecideReclassification(ctx, k.manager, req.ID, approve, "decided"); err != nil {
			t.Fatal(err)
		}
	}

	// A mail answering x after it was resolved too long ago opened a follow-up incident.
	must(svc.Resolve(ctx, k.engineer, x.ID, "fixed for good"))
	must(svc.ConfirmResolution(ctx, k.member, x.ID, "works for us now"))
	followUp := open(3)
	if err := svc.LinkFollowUp(ctx, k.member, x.ID, followUp); err != nil {
		t.Fatal(err)
	}

	w := open(1) // standard severity 1, 24×7: first response 4 h (warned at 3 h), support manager 24 h
	f.clock.Advance(3 * time.Hour)
	var warning []uuid.UUID
	if err := db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND state = 'pending' AND warning > 0 AND target = 'first_response'", w.ID).
		Scan(&warning).Error; err != nil || len(warning) != 1 {
		t.Fatalf("warning timer of the severity-1 incident: %v %v", warning, err)
	}
	if fired, err := svc.FireTimers(ctx, warning); err != nil || fired[0].Outcome != tickets.OutcomeWarned {
		t.Fatalf("warning: %+v %v", fired, err)
	}
	f.clock.Advance(21*time.Hour + time.Second)
	var timers []uuid.UUID
	if err := db.Raw("SELECT id FROM sla_timers WHERE incident_id = ? AND state = 'pending' AND warning = 0 AND target IN ('first_response', 'support_manager')", w.ID).
		Scan(&timers).Error; err != nil || len(timers) != 2 {
		t.Fatalf("timers of the severity-1 incident: %v %v", timers, err)
	}
	fired, err := svc.FireTimers(ctx, timers)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fired {
		if r.Err != nil || (r.Outcome != tickets.OutcomeBreached && r.Outcome != tickets.OutcomeEscalated) {
			t.Fatalf("firing: %+v", r)
		}
	}
	return k
}

// TestEveryKindAgainstEveryAudience: with one entry of every kind on the timelines, a member and
// an org admin read exactly the customer-visible kinds, each carrying only its customer fields
// (no internal note, assignment, scope reason, SLA explanation, breach record, escalation
// recipient or timer); an engineer and a support manager read every entry whole.
func TestEveryKindAgainstEveryAudience(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db := testenv.DB(t)
	k := makeEveryKind(t, f, db)

	written := map[string]bool{}
	var kinds []string
	if err := db.Raw("SELECT DISTINCT kind FROM incident_events WHERE incident_id IN ?", k.incidents).Scan(&kinds).Error; err != nil {
		t.Fatal(err)
	}
	for _, kind := range kinds {
		written[kind] = true
	}
	for _, kind := range tickets.EventKinds() {
		if !written[kind] {
			t.Errorf("kind %s has an audience but the scenario wrote none: extend makeEveryKind", kind)
		}
		delete(written, kind)
	}
	for kind := range written {
		t.Errorf("kind %s was written without an audience decision in tickets.eventVisibility", kind)
	}

	readers := map[string]accounts.User{"member": k.member, "org_admin": k.orgAdmin, "engineer": k.engineer, "support_manager": k.manager}
	for name, u := range readers {
		seen := map[string]bool{}
		for _, id := range k.incidents {
			all, err := tickets.NewStore(db).FindEvents(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := k.svc.Timeline(ctx, u, id)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if u.Role.Staff() {
				if !reflect.DeepEqual(got, all) {
					t.Errorf("%s reads a changed timeline:\n got %+v\nwant %+v", name, got, all)
				}
				for _, e := range got {
					seen[e.Kind] = true
				}
				continue
			}
			checkCustomerTimeline(t, name, got, all, k.secrets)
			for _, e := range got {
				seen[e.Kind] = true
			}
		}
		for _, kind := range tickets.EventKinds() {
			want := u.Role.Staff() || tickets.EventAudience(kind) == tickets.AudienceCustomer
			if seen[kind] != want {
				t.Errorf("%s sees %s: %v, want %v", name, kind, seen[kind], want)
			}
		}
	}
}

// checkCustomerTimeline checks a customer's timeline against the whole one: the customer-visible
// entries in order, each with exactly the kind's customer fields that the entry has.
func checkCustomerTimeline(t *testing.T, who string, got, all []tickets.Event, secrets []string) {
	t.Helper()
	var want []tickets.Event
	for _, e := range all {
		if tickets.EventAudience(e.Kind) == tickets.AudienceCustomer {
			want = append(want, e)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s reads %d entries, want the %d customer-visible ones: %v", who, len(got), len(want), kindsOf(got))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Kind != want[i].Kind || !got[i].At.Equal(want[i].At) {
			t.Errorf("%s entry %d: %s #%d, want %s #%d", who, i, got[i].Kind, got[i].ID, want[i].Kind, want[i].ID)
		}
		allowed := map[string]bool{}
		for _, field := range tickets.CustomerFields(got[i].Kind) {
			allowed[field] = true
		}
		for field, v := range got[i].Data {
			if !allowed[field] {
				t.Errorf("%s reads staff-only field %s of %s", who, field, got[i].Kind)
			}
			if !reflect.DeepEqual(v, want[i].Data[field]) {
				t.Errorf("%s reads %s.%s = %v, stored %v", who, got[i].Kind, field, v, want[i].Data[field])
			}
		}
		for field := range allowed {
			if _, stored := want[i].Data[field]; stored {
				if _, ok := got[i].Data[field]; !ok {
					t.Errorf("%s misses customer field %s of %s", who, field, got[i].Kind)
				}
			}
		}
		text := fmt.Sprint(got[i].Data)
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s reads staff-only text %q in %s", who, s, got[i].Kind)
			}
		}
		if got[i].Kind == tickets.KindEscalated {
			for _, field := range []string{"explanation", "timer_id", "due_at", "late_by", "target"} {
				if _, ok := got[i].Data[field]; ok {
					t.Errorf("%s reads the escalation's %s", who, field)
				}
			}
			if got[i].Data["level"] == nil {
				t.Errorf("%s does not read the escalation's level: %v", who, got[i].Data)
			}
		}
		if got[i].Kind == tickets.KindSeverityChanged && got[i].Data["reason"] == nil {
			t.Errorf("%s does not read the severity change's reason", who)
		}
	}
}

func kindsOf(evs []tickets.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	sort.Strings(out)
	return out
}

// TestUnknownKindIsStaffOnly: an entry of a kind nobody decided on is shown to staff only.
func TestUnknownKindIsStaffOnly(t *testing.T) {
	e := tickets.Event{Kind: "something_new", Data: map[string]any{"body": "x"}}
	if tickets.EventAudience(e.Kind) != tickets.AudienceStaff {
		t.Fatal("an undecided kind is not staff-only")
	}
	if _, ok := tickets.ShowEvent(e, tickets.AudienceCustomer); ok {
		t.Fatal("a customer reads an undecided kind")
	}
	if got, ok := tickets.ShowEvent(e, tickets.AudienceStaff); !ok || got.Data["body"] != "x" {
		t.Fatal("staff do not read an undecided kind")
	}
	if out := tickets.ForAudience([]tickets.Event{e}, tickets.AudienceCustomer); len(out) != 0 {
		t.Fatalf("ForAudience kept %v", out)
	}
}

package replay_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/ticketstest"
	"gorm.io/gorm"
)

// engineReads is the oracle of tickets.Store.StreamHistories and CountStreamHistories. It
// shares none of their SQL: it lists incidents and reads their timelines through the incident
// service, as a member of staff does, turns each into the planner's input with
// tickets.PlanInput, as the engine does for an incident's sla block, and selects incidents by
// HistoryFilter's documented rules, written out here in Go.
type engineReads struct {
	t     *testing.T
	svc   *tickets.Service
	admin accounts.User
}

func newEngineReads(t *testing.T, db *gorm.DB, c clock.Clock, admin accounts.User) engineReads {
	acc := accounts.NewStore(db, c)
	svc := tickets.NewService(tickets.Deps{Log: quietLog(), Store: tickets.NewStore(db), Entitler: ticketstest.OrgTier{Orgs: acc}, Users: acc, Clock: c})
	return engineReads{t: t, svc: svc, admin: admin}
}

// incidents lists every incident (staff see them all), in id order: the streams' order, as
// PostgreSQL orders uuids, byte by byte.
func (e engineReads) incidents(ctx context.Context) []tickets.Incident {
	e.t.Helper()
	var out []tickets.Incident
	f := tickets.Filter{Limit: 200}
	for {
		p, err := e.svc.List(ctx, e.admin, f)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			break
		}
		c, err := tickets.ParseCursor(p.Next)
		if err != nil {
			e.t.Fatal(err)
		}
		f.After = &c
	}
	slices.SortFunc(out, func(a, b tickets.Incident) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out
}

// admits says whether f selects inc: accepted in [From, To), and of the tier, current severity,
// organisation and product (ignoring case and surrounding spaces) where f names them.
func admits(f tickets.HistoryFilter, inc tickets.Incident) bool {
	return !inc.AcceptedAt.Before(f.From) && inc.AcceptedAt.Before(f.To) &&
		(f.Tier == "" || inc.Tier == f.Tier) &&
		(f.Severity == 0 || inc.Severity == f.Severity) &&
		(f.OrganizationID == nil || inc.OrganizationID == *f.OrganizationID) &&
		(f.Product == "" || strings.EqualFold(inc.Product, strings.TrimSpace(f.Product)))
}

// count is what CountStreamHistories must answer for f: every incident f admits.
func (e engineReads) count(ctx context.Context, f tickets.HistoryFilter) int {
	n := 0
	for _, inc := range e.incidents(ctx) {
		if admits(f, inc) {
			n++
		}
	}
	return n
}

// histories is what StreamHistories must stream for f: each incident f admits that has its
// "opened" entry, planned from the incident and its timeline as the engine plans it. With
// byHandOnly the escalations the engine's own timers recorded (reason "deadline", and
// "higher_level" for the levels below one reached) are left out of the timeline first.
//
// The streams carry no escalation cause: a replay plans under another policy, where the planner
// judges it (sla.Event.Cause: empty is the deadline if the level fell due at that instant, else
// a request). So causes are left out of what is expected, and the caller checks that none is
// streamed.
func (e engineReads) histories(ctx context.Context, f tickets.HistoryFilter, byHandOnly bool) []tickets.History {
	e.t.Helper()
	var out []tickets.History
	for _, inc := range e.incidents(ctx) {
		if !admits(f, inc) {
			continue
		}
		timeline, err := e.svc.Timeline(ctx, e.admin, inc.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		if !slices.ContainsFunc(timeline, func(ev tickets.Event) bool { return ev.Kind == tickets.KindOpened }) {
			continue
		}
		if byHandOnly {
			timeline = slices.DeleteFunc(timeline, byEngine)
		}
		in := tickets.PlanInput(inc, timeline)
		in.AcceptedAt = in.AcceptedAt.UTC()
		for i := range in.Events {
			in.Events[i].At = in.Events[i].At.UTC()
			in.Events[i].Cause = ""
		}
		out = append(out, tickets.History{ID: inc.ID, Reference: inc.Reference, Tier: inc.Tier, Severity: inc.Severity,
			PolicyVersion: inc.PolicyVersion, Input: in})
	}
	return out
}

// byEngine says whether a timeline entry is an escalation the engine's timers recorded.
func byEngine(ev tickets.Event) bool {
	if ev.Kind != tickets.KindEscalated {
		return false
	}
	reason, _ := ev.Data["reason"].(string)
	return reason == "deadline" || reason == string(sla.CauseHigherLevel)
}

// streamed collects what src.StreamHistories gives for f, each history copied (the stream
// reuses its events), an empty list of events as nil.
func streamed(t *testing.T, src *tickets.Store, f tickets.HistoryFilter, byHandOnly bool) []tickets.History {
	t.Helper()
	var out []tickets.History
	err := src.StreamHistories(context.Background(), f, byHandOnly, func(h *tickets.History) error {
		c := *h
		c.Input.Events = append([]sla.Event(nil), h.Input.Events...)
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

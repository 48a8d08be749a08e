package replay_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/sla/replay"
	"github.com/supportd/supportd/tickets"
)

// TestReplayHandBuiltHistory replays 20 premium incidents (acknowledgements, waits, severity
// changes, public updates, resolutions, escalations by deadline and by request) under a draft
// that tightens one cell: premium severity 2 first response from 2 h (SPEC matrix, version 1)
// to 1 h. Every outcome below is worked out by hand from the matrix (premium, all 24x7):
//
//	sev 1: first response 1 h, update every 2 h, support manager 2 h
//	sev 2: first response 2 h (draft: 1 h), update every 24 h, support manager 72 h
//	sev 3: first response 24 h, no cadence, support manager 168 h;  sev 4: first response 24 h
//
// Waiting pauses the cadence and the escalation clocks, not the first response; a severity
// change re-plans the open targets from the moment of the change.
func TestReplayHandBuiltHistory(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(t0.Add(30 * 24 * time.Hour))
	cg := catalog.New(catalog.NewStore(db), c)
	if err := cg.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	f, admin := newFixture(t, db, c)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }

	type want struct {
		recorded, replayed string // first-response outcome
	}
	changed := map[string]want{}
	inc := func(i, sev, cur int, evs []ev, change *want) string {
		ref := f.incident("premium", at(i), sev, cur, evs...)
		if change != nil {
			changed[ref] = *change
		}
		return ref
	}
	metToBreached := &want{"met", "breached"}
	// Severity 2 now: due 2 h as recorded, 1 h under the draft.
	inc(1, 2, 2, cat(ack(30*m), resolve(5*h)), nil)                                                             // met in both
	r2 := inc(2, 2, 2, cat(ack(90*m), resolve(5*h)), metToBreached)                                             // 90 min: within 2 h, not 1 h
	inc(3, 2, 2, cat(ack(150*m), resolve(5*h)), nil)                                                            // late in both
	inc(4, 2, 2, cat(ack(60*m), resolve(5*h)), nil)                                                             // exactly at the draft's due time: met
	inc(5, 2, 2, cat(wait(20*m, 100*m), ack(110*m), resolve(5*h)), metToBreached)                               // waiting does not pause it
	inc(6, 2, 2, cat(resolve(50*m)), nil)                                                                       // resolution meets it, in time for both
	inc(7, 2, 2, cat(resolve(80*m)), metToBreached)                                                             // resolved at 80 min, never acknowledged
	inc(8, 3, 2, cat(sevTo(30*m, 3, 2), ack(100*m), resolve(5*h)), metToBreached)                               // re-planned at 30 min: due 150 / 90 min
	inc(9, 3, 2, cat(sevTo(30*m, 3, 2), ack(80*m), resolve(5*h)), nil)                                          // 80 min < 90 min: met in both
	inc(10, 2, 3, cat(sevTo(30*m, 2, 3), ack(100*m), resolve(5*h)), nil)                                        // 3 before the draft's 60 min: 24 h
	inc(11, 2, 3, cat(sevTo(70*m, 2, 3), ack(100*m), resolve(5*h)), metToBreached)                              // the draft breached at 60, before the change
	inc(12, 1, 1, cat(ack(30*m), update(150*m), resolve(200*m)), nil)                                           // sev 1: escalates at 2 h; cadence met at 150
	inc(13, 3, 3, cat(ack(10*h), resolve(11*h)), nil)                                                           // within 24 h
	inc(14, 4, 4, cat(ack(25*h), resolve(26*h)), nil)                                                           // late in both
	inc(15, 2, 2, cat(ack(45*m), update(30*h), resolve(31*h)), nil)                                             // cadence due 24h45m, update at 30 h: 1 breach
	inc(16, 2, 2, cat(ack(100*m), wait(2*h, 50*h), resolve(80*h)), metToBreached)                               // cadence paused 48 h: breached 73h40m; no escalation (32 h run)
	inc(17, 2, 2, cat(escalated(72*h, 1, "deadline")), nil)                                                     // open, never acknowledged: late; escalated at 72 h
	inc(18, 1, 1, cat(ack(90*m), escalated(2*h, 1, "deadline"), resolve(3*h)), nil)                             // late; escalated at 2 h
	inc(19, 2, 2, cat(ack(61*m), resolve(5*h)), metToBreached)                                                  // one minute past the draft's hour
	inc(20, 3, 2, cat(ack(5*h), sevTo(10*h, 3, 2), escalated(11*h, 1, "customer_request"), resolve(12*h)), nil) // met at 5 h; escalated by request
	// Outside the replay: accepted before the period, and another tier.
	f.incident("premium", t0.Add(-time.Hour), 2, 2, ack(90*m), resolve(5*h))
	f.incident("standard", at(3), 1, 1, ack(5*h), resolve(6*h))

	before := snapshot(t, db)
	svc := replay.NewService(replay.NewStore(db), tickets.NewStore(db), cg, c, quietLog())
	req := replay.Request{From: t0, To: t0.Add(24 * time.Hour), Tier: "premium",
		Policy: json.RawMessage(`{"cells": [{"severity": 2, "target": "first_response", "duration": "1h"}]}`)}
	rep, inline, err := svc.Start(ctx, admin, req)
	if err != nil {
		t.Fatal(err)
	}
	if !inline || rep.State != "done" || rep.Result == nil {
		t.Fatalf("a 20-incident replay answers at once: inline %v, %+v", inline, rep)
	}
	res := rep.Result
	if res.Incidents != 20 || res.Changed != 7 || rep.Progress.Done != 20 || rep.Progress.Total != 20 {
		t.Fatalf("incidents %d, changed %d, progress %+v; want 20, 7", res.Incidents, res.Changed, rep.Progress)
	}

	// Per tier and severity (current severity), recorded → replayed.
	type counts = replay.CountsJSON
	wantRows := map[int][3]any{ // severity: incidents, recorded, replayed
		1: {2, counts{FirstResponseMet: 1, FirstResponseBreached: 1, EscalatedLevel1: 2}, counts{FirstResponseMet: 1, FirstResponseBreached: 1, EscalatedLevel1: 2}},
		2: {14, counts{FirstResponseMet: 12, FirstResponseBreached: 2, UpdateBreaches: 2, EscalatedLevel1: 2},
			counts{FirstResponseMet: 6, FirstResponseBreached: 8, UpdateBreaches: 2, EscalatedLevel1: 2}},
		3: {3, counts{FirstResponseMet: 3}, counts{FirstResponseMet: 2, FirstResponseBreached: 1}},
		4: {1, counts{FirstResponseBreached: 1}, counts{FirstResponseBreached: 1}},
	}
	if len(res.Rows) != len(wantRows) {
		t.Fatalf("rows %+v", res.Rows)
	}
	for _, row := range res.Rows {
		w := wantRows[row.Severity]
		if row.Tier != "premium" || row.Incidents != w[0].(int) || row.Recorded != w[1].(counts) || row.Replayed != w[2].(counts) {
			t.Errorf("premium sev %d: %d incidents, recorded %+v, replayed %+v; want %v", row.Severity, row.Incidents, row.Recorded, row.Replayed, w)
		}
	}
	if d := res.Rows[1].Delta; d.FirstResponseMet != -6 || d.FirstResponseBreached != 6 {
		t.Errorf("sev 2 delta %+v", d)
	}

	// The changed incidents, each with both deadlines and their explanations.
	var got []string
	for _, ch := range res.Changes {
		w, ok := changed[ch.Reference]
		got = append(got, ch.Reference)
		if !ok || len(ch.Targets) != 1 || ch.Targets[0].Target != "first_response" ||
			ch.Targets[0].RecordedOutcome != w.recorded || ch.Targets[0].ReplayedOutcome != w.replayed {
			t.Errorf("unexpected change %s: %+v", ch.Reference, ch.Targets)
			continue
		}
		tg := ch.Targets[0]
		if tg.Recorded == nil || tg.Replayed == nil || tg.Recorded.DueAt == nil || tg.Replayed.DueAt == nil ||
			len(tg.Recorded.Explanation) == 0 || len(tg.Replayed.Explanation) == 0 {
			t.Errorf("%s: both plans with due times and explanations: %+v", ch.Reference, tg)
		}
	}
	var wantRefs []string
	for ref := range changed {
		wantRefs = append(wantRefs, ref)
	}
	sort.Strings(got)
	sort.Strings(wantRefs)
	if strings.Join(got, " ") != strings.Join(wantRefs, " ") {
		t.Fatalf("changed incidents %v, want %v", got, wantRefs)
	}
	// Incident 2: due 2 h after acceptance as recorded, 1 h under the draft.
	for _, ch := range res.Changes {
		if ch.Reference == r2 {
			tg := ch.Targets[0]
			if !tg.Recorded.DueAt.Equal(at(2).Add(2*h)) || !tg.Replayed.DueAt.Equal(at(2).Add(h)) ||
				!strings.Contains(strings.Join(tg.Replayed.Explanation, "\n"), "1h") {
				t.Errorf("incident 2: recorded due %v, replayed due %v, explanation %q", tg.Recorded.DueAt, tg.Replayed.DueAt, tg.Replayed.Explanation)
			}
		}
	}

	// The same replay under the recorded version changes nothing.
	same, _, err := svc.Start(ctx, admin, replay.Request{From: t0, To: t0.Add(24 * time.Hour), Tier: "premium", Policy: json.RawMessage(`1`)})
	if err != nil || same.Result.Changed != 0 || same.Result.Incidents != 20 {
		t.Fatalf("version 1 against itself: %+v %v", same.Result, err)
	}

	// In the background: the same answer, then CSV.
	req.Background = true
	bg, inline, err := svc.Start(ctx, admin, req)
	if err != nil || inline {
		t.Fatalf("background: inline %v, %v", inline, err)
	}
	svc.Wait()
	done, err := svc.Get(ctx, admin, bg.ID)
	if err != nil || done.State != "done" || done.Result.Changed != 7 || done.Progress.Done != 20 {
		t.Fatalf("background replay: %+v %v", done, err)
	}
	rows, err := svc.CSV(ctx, admin, bg.ID, "")
	if err != nil || !strings.Contains(string(rows), "premium,2,14,6,12,6,2,8,2,2,2,2,0,0") {
		t.Fatalf("CSV rows:\n%s %v", rows, err)
	}
	chs, err := svc.CSV(ctx, admin, bg.ID, "changes")
	if err != nil || strings.Count(string(chs), "\n") != 8 || !strings.Contains(string(chs), r2+",premium,2,") {
		t.Fatalf("CSV changes:\n%s %v", chs, err)
	}

	// Staff only, and of the staff managers and admins.
	for _, role := range []accounts.Role{accounts.Engineer, accounts.Executive, accounts.OrgAdmin, accounts.Member} {
		if _, _, err := svc.Start(ctx, accounts.User{ID: admin.ID, Role: role}, req); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s starts a replay: %v", role, err)
		}
		if _, err := svc.Get(ctx, accounts.User{ID: admin.ID, Role: role}, bg.ID); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("%s reads a replay: %v", role, err)
		}
	}
	// A draft policy is one tier's.
	if _, _, err := svc.Start(ctx, admin, replay.Request{From: t0, To: t0.Add(h), Policy: req.Policy}); err == nil || !strings.Contains(err.Error(), "tier") {
		t.Errorf("draft without a tier: %v", err)
	}

	if after := snapshot(t, db); after != before {
		t.Fatalf("a replay wrote to incidents, events, timers or escalations:\n%s\n%s", before, after)
	}
}

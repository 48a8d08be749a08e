package tickets

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// fireBatch is one FireTimers transaction: it reads every incident of the batch at once,
// decides each in memory and writes the outcomes with a fixed number of statements.
type fireBatch struct {
	s     *Service
	tx    dbx.Tx // the batch transaction and its now
	now   time.Time
	snaps map[uuid.UUID]catalog.Snapshot // planning inputs by incident, taken before the transaction

	outcome  map[uuid.UUID]Outcome
	stops    []timerStop
	adds     []timerRow
	events   []Event
	incs     map[uuid.UUID]*incidentChange
	escs     []Escalation
	breaches []Breach
	warnings []Warning
	seen     []observed // for the Observer, after commit

	added     []Timer     // to schedule after commit
	cancelled []uuid.UUID // to unschedule after commit
	outbox    []uuid.UUID // e-mail and webhook deliveries to hand over after commit
}

// observed is one decision of a batch as the Observer hears it.
type observed struct {
	target  sla.Target
	warning bool
	outcome Outcome
	late    time.Duration
}

// run decides the due timers (timer → incident), its incidents locked (lockFiring).
func (b *fireBatch) run(ctx context.Context, due map[uuid.UUID]uuid.UUID) error {
	b.outcome = make(map[uuid.UUID]Outcome, len(due))
	b.incs = map[uuid.UUID]*incidentChange{}
	byInc := map[uuid.UUID][]uuid.UUID{}
	for t, inc := range due {
		byInc[inc] = append(byInc[inc], t)
	}
	incIDs := make([]uuid.UUID, 0, len(byInc))
	for id := range byInc {
		incIDs = append(incIDs, id)
	}
	rows, err := lockFiring(ctx, b.tx, incIDs)
	if err != nil {
		return err
	}
	pending := map[uuid.UUID][]timerRow{}
	for _, t := range rows.pending {
		pending[t.IncidentID] = append(pending[t.IncidentID], t)
	}
	events := map[uuid.UUID][]Event{}
	for _, r := range rows.events {
		events[r.IncidentID] = append(events[r.IncidentID], r.toEvent())
	}
	for _, r := range rows.incidents {
		if err := b.fireIncident(ctx, r.toIncident(), events[r.ID], pending[r.ID], byInc[r.ID]); err != nil {
			return err
		}
	}
	return b.write(ctx)
}

// fireIncident decides the incident's due timers, soonest first, then re-plans it once.
func (b *fireBatch) fireIncident(ctx context.Context, inc Incident, events []Event, pending []timerRow, due []uuid.UUID) error {
	open := make(map[uuid.UUID]timerRow, len(pending))
	for _, t := range pending {
		open[t.ID] = t
	}
	ch := &incidentChange{level: inc.EscalationLevel}
	defer func() {
		if ch.timers {
			ch.nextDue, ch.nextTarget = nextDeadline(slices.Collect(maps.Values(open)))
			b.incs[inc.ID] = ch
		}
	}()
	snap, ok := b.snaps[inc.ID]
	if !ok {
		return fmt.Errorf("no planning snapshot for incident %s", inc.ID)
	}
	if snap.Policy.Version != inc.PolicyVersion || string(snap.Policy.Tier) != inc.Tier {
		return fmt.Errorf("incident %s was re-pinned while its timers were prepared", inc.ID)
	}
	sort.Slice(due, func(i, j int) bool { return open[due[i]].DueAt.Before(open[due[j]].DueAt) })
	fired := false
	for _, id := range due {
		tr, ok := open[id]
		if !ok {
			b.outcome[id] = OutcomeStale
			continue
		}
		delete(open, id)
		res, err := snap.Plan(PlanInput(inc, events), b.now)
		if err != nil {
			return err
		}
		if tr.Warning > 0 {
			b.warn(inc, tr, res)
			ch.timers = true
			continue
		}
		target := sla.Target(tr.Target)
		d, ok := res.Deadline(target)
		if !ok || !passedAt(d, tr.DueAt) {
			state := "superseded"
			if ok {
				state = string(d.State)
			}
			b.outcome[id] = OutcomeCancelled
			b.stops = append(b.stops, timerStop{ID: id, State: "cancelled", Outcome: state})
			b.seen = append(b.seen, observed{target: target, outcome: OutcomeCancelled})
			ch.timers = true
			continue
		}
		data := map[string]any{"target": target, "due_at": tr.DueAt, "late_by": b.now.Sub(tr.DueAt).String(),
			"timer_id": id, "explanation": catalog.FromDeadline(d, true).Explanation}
		ev := Event{IncidentID: inc.ID, At: b.now, Data: data}
		outcome := OutcomeBreached
		if level := target.Level(); level > 0 {
			outcome = OutcomeEscalated
			data["level"], data["reason"], data["cause"] = level, "deadline", sla.CauseDeadline
			ev.Kind = string(sla.Escalated)
			inc.EscalationLevel = max(inc.EscalationLevel, level)
			ch.level, ch.touched = inc.EscalationLevel, true
			b.escs = append(b.escs, Escalation{Incident: inc, Level: level, Reason: "deadline"})
			// The escalation is itself an event the plan reads (a reached level is never planned again).
			events = append(events, ev)
		} else {
			ev.Kind = "sla_breached"
			b.breaches = append(b.breaches, Breach{Incident: inc, Target: target, DueAt: tr.DueAt})
		}
		b.events = append(b.events, ev)
		now := b.now
		b.outcome[id] = outcome
		b.stops = append(b.stops, timerStop{ID: id, State: "fired", Outcome: string(outcome), FiredAt: &now})
		b.seen = append(b.seen, observed{target: target, outcome: outcome, late: now.Sub(tr.DueAt)})
		fired, ch.timers = true, true
	}
	if !fired {
		return nil
	}
	res, err := snap.Plan(PlanInput(inc, events), b.now)
	if err != nil {
		return err
	}
	stops, adds := diffTimers(inc.ID, slices.Collect(maps.Values(open)), res, b.now)
	if len(stops) == 0 && len(adds) == 0 {
		return nil
	}
	b.s.markEnqueued(adds, b.now)
	for _, st := range stops {
		delete(open, st.ID)
	}
	for _, t := range adds {
		open[t.ID] = t
	}
	added := toTimers(adds)
	b.stops, b.adds = append(b.stops, stops...), append(b.adds, adds...)
	b.added, b.cancelled = append(b.added, added...), append(b.cancelled, stopIDs(stops)...)
	b.events = append(b.events, plannedEvent(inc.ID, res, added, len(stops) > 0, b.now))
	return nil
}

// warn decides a warning timer: told when the plan still places its point where the timer
// stands on a pending target, cancelled otherwise (met, re-planned, paused, breached already).
func (b *fireBatch) warn(inc Incident, tr timerRow, res sla.Result) {
	target := sla.Target(tr.Target)
	d, ok := res.Deadline(target)
	at, found := warningOf(d, tr.Warning)
	if !ok || !found || !at.Equal(tr.DueAt) {
		state := "superseded"
		if ok {
			state = string(d.State)
		}
		b.outcome[tr.ID] = OutcomeCancelled
		b.stops = append(b.stops, timerStop{ID: tr.ID, State: "cancelled", Outcome: state})
		b.seen = append(b.seen, observed{target: target, warning: true, outcome: OutcomeCancelled})
		return
	}
	now := b.now
	b.events = append(b.events, Event{IncidentID: inc.ID, Kind: KindSLAWarning, At: now, Data: map[string]any{
		"target": target, "point": float64(tr.Warning) / 1000, "warn_at": tr.DueAt, "due_at": d.DueAt,
		"due_in": d.DueAt.Sub(now).Round(time.Second).String(), "late_by": now.Sub(tr.DueAt).String(), "timer_id": tr.ID}})
	b.warnings = append(b.warnings, Warning{Incident: inc, Target: target, Point: tr.Warning, At: tr.DueAt, DueAt: d.DueAt})
	b.outcome[tr.ID] = OutcomeWarned
	b.seen = append(b.seen, observed{target: target, warning: true, outcome: OutcomeWarned})
	b.stops = append(b.stops, timerStop{ID: tr.ID, State: "fired", Outcome: string(OutcomeWarned), FiredAt: &now})
}

// write stores the batch's decisions: timers, escalation levels, timeline, credits and the
// notifications, each kind in one statement (or one per 500 rows).
func (b *fireBatch) write(ctx context.Context) error {
	// One statement writes each incident's escalation level and nearest deadline.
	if err := writeIncidentChanges(ctx, b.tx, b.incs); err != nil {
		return err
	}
	if err := storeTimers(ctx, b.tx, b.stops, b.adds); err != nil {
		return err
	}
	if len(b.events) > 0 {
		if err := insertEvents(ctx, b.tx, b.events); err != nil {
			return err
		}
		if err := b.tell(ctx); err != nil {
			return err
		}
	}
	if err := b.s.creditsFor(ctx, b.tx, b.breaches); err != nil {
		return err
	}
	if b.s.esc == nil {
		return nil
	}
	if len(b.escs) > 0 {
		ids, err := b.s.esc.Escalated(ctx, b.tx, b.escs)
		if err != nil {
			return err
		}
		b.outbox = append(b.outbox, ids...)
	}
	if len(b.breaches) > 0 {
		ids, err := b.s.esc.Breached(ctx, b.tx, b.breaches)
		if err != nil {
			return err
		}
		b.outbox = append(b.outbox, ids...)
	}
	if len(b.warnings) > 0 {
		ids, err := b.s.esc.Warned(ctx, b.tx, b.warnings)
		if err != nil {
			return err
		}
		b.outbox = append(b.outbox, ids...)
	}
	return nil
}

// tell hands every escalated incident's new entries to the teller at once (breaches are
// staff-only), so that telling a burst costs the same few statements as telling one.
func (b *fireBatch) tell(ctx context.Context) error {
	byInc := map[uuid.UUID][]Event{}
	for _, ev := range b.events {
		if ev.Kind == string(sla.Escalated) {
			byInc[ev.IncidentID] = append(byInc[ev.IncidentID], ev)
		}
	}
	steps := make([]Step, 0, len(b.escs))
	for _, e := range b.escs {
		var evs []Event
		for _, ev := range byInc[e.Incident.ID] {
			if ev.Data["level"] == e.Level {
				evs = append(evs, ev)
			}
		}
		if len(evs) > 0 {
			steps = append(steps, Step{Incident: e.Incident, Events: evs})
		}
	}
	ids, err := b.s.tellAll(ctx, b.tx, steps)
	if err != nil {
		return err
	}
	b.outbox = append(b.outbox, ids...)
	return nil
}

// incidentChange is what a batch changes on an incident row.
type incidentChange struct {
	timers     bool // its timers changed: write next_due_at, next_target
	touched    bool // escalated: write escalation_level, updated_at
	level      int
	nextDue    *time.Time
	nextTarget *string
}

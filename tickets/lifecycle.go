package tickets

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// change is what a lifecycle step does to a locked incident: it may edit inc and returns the
// timeline events to append.
type change func(tx dbx.Tx, inc *Incident, events []Event) ([]Event, error)

// act runs one lifecycle step in one transaction: lock the incident, apply the change, store the
// new events and the incident, re-plan through sla, bring the pending timers in line with the
// plan and note every re-planned target on the timeline. After commit the new timers are handed
// to the scheduler. check, when not nil, vets the caller against the locked incident first
// (actCheck: not_found or not_in_group).
func (s *Service) act(ctx context.Context, id uuid.UUID, check func(Incident) error, fn change) (Incident, error) {
	var (
		out       Incident
		added     []Timer
		cancelled []uuid.UUID
		outbox    []uuid.UUID
	)
	snap, pin, err := s.snapshotOf(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	clock := func() time.Time { return s.clock.Now().Truncate(time.Microsecond) }
	err = s.store.step(ctx, id, clock, func(tx dbx.Tx, inc Incident, events []Event) error {
		if s.planner != nil && pinOf(inc).Key() != pin {
			// Pins are written once, at intake; a change here means the snapshot is not this incident's.
			return fmt.Errorf("incident %s was re-pinned while a step was prepared", id)
		}
		if check != nil {
			if err := check(inc); err != nil {
				return err
			}
		}
		now := tx.Now()
		fresh, err := fn(tx, &inc, events)
		if err != nil {
			return err
		}
		for i := range fresh {
			fresh[i].IncidentID, fresh[i].At = id, now
		}
		if err := s.store.appendEvents(ctx, tx, fresh); err != nil {
			return err
		}
		inc.UpdatedAt = now
		if err := s.store.saveStep(ctx, tx, inc); err != nil {
			return err
		}
		added, cancelled, err = s.replan(ctx, tx, snap, inc, append(events, fresh...))
		if err != nil {
			return err
		}
		if outbox, err = s.tell(ctx, tx, inc, fresh); err != nil {
			return err
		}
		out = inc
		return nil
	})
	if err != nil {
		return Incident{}, translate(err, "incident")
	}
	s.afterCommit(ctx, added, cancelled)
	s.deliver(ctx, outbox)
	incs := []Incident{out}
	if err := s.withSLA(ctx, incs, true); err != nil {
		return Incident{}, err
	}
	return incs[0], nil
}

// replan plans the incident at now with its snapshot (no reads), syncs its timers and records
// what changed on the timeline.
func (s *Service) replan(ctx context.Context, tx dbx.Tx, snap catalog.Snapshot, inc Incident, events []Event) ([]Timer, []uuid.UUID, error) {
	now := tx.Now()
	if s.planner == nil {
		return nil, nil, nil
	}
	res, err := snap.Plan(PlanInput(inc, events), now)
	if err != nil {
		return nil, nil, err
	}
	added, cancelled, err := s.syncTimers(ctx, tx, inc.ID, res, now)
	if err != nil || (len(added) == 0 && len(cancelled) == 0) {
		return added, cancelled, err
	}
	return added, cancelled, s.store.appendEvents(ctx, tx, []Event{plannedEvent(inc.ID, res, added, len(cancelled) > 0, now)})
}

// plannedEvent is the timeline entry of a re-plan that changed the timers: each newly planned
// target with its explanation and, when timers were cancelled, the targets that stopped.
func plannedEvent(incID uuid.UUID, res sla.Result, added []Timer, cancelled bool, now time.Time) Event {
	planned := []catalog.Target{}
	for _, d := range res.Deadlines {
		for _, t := range added {
			if t.Target == d.Target { // once, however many of its warning points are new
				planned = append(planned, catalog.FromDeadline(d, true))
				break
			}
		}
	}
	data := map[string]any{"policy_version": res.PolicyVersion, "planned": planned}
	if cancelled {
		var gone []map[string]any
		for _, d := range res.Deadlines {
			if d.State != sla.Pending {
				gone = append(gone, map[string]any{"target": d.Target, "state": d.State})
			}
		}
		data["stopped"] = gone
	}
	return Event{IncidentID: incID, Kind: "sla_planned", At: now, Data: data}
}

func (s *Service) afterCommit(ctx context.Context, added []Timer, cancelled []uuid.UUID) {
	if s.sched == nil {
		return
	}
	if len(cancelled) > 0 {
		s.sched.Cancel(ctx, cancelled)
	}
	if len(added) > 0 {
		s.sched.Schedule(ctx, added)
	}
}

// snapshotOf reads the incident's pin and takes its planning snapshot before a transaction
// opens, so that planning inside it reads nothing (with the pool saturated, a read there would
// wait for a second connection). It returns the pin's key too, to check against the locked row.
func (s *Service) snapshotOf(ctx context.Context, id uuid.UUID) (catalog.Snapshot, string, error) {
	if s.planner == nil {
		return catalog.Snapshot{}, "", nil
	}
	inc, err := s.store.FindIncidentByID(ctx, id)
	if err != nil {
		return catalog.Snapshot{}, "", err
	}
	pin := pinOf(inc)
	snap, err := s.planner.Snapshot(ctx, pin)
	return snap, pin.Key(), err
}

// conflict builds a 409 with a code.
func conflict(code, msg string) error { return apperr.New(apperr.Conflict, code, "%s", msg) }

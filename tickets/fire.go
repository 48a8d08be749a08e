package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"gorm.io/gorm"
)

// Escalator tells people what happened, inside the transaction that records it (escalation
// ladder and notification outbox). Each fact is keyed, so telling it again writes nothing.
// Each call returns the outbox deliveries (e-mail, webhook) it wrote, for the queue after commit.
// Escalated and Breached take every fact of a batch at once, so that a burst of deadlines costs
// a few statements per batch rather than per incident.
type Escalator interface {
	// Opened: an incident was accepted (platinum accounts' TSAM hears of every one).
	Opened(ctx context.Context, tx dbx.Tx, inc Incident) ([]uuid.UUID, error)
	// Escalated: each incident reached its level (1 support managers, 2 executives).
	Escalated(ctx context.Context, tx dbx.Tx, escalations []Escalation) ([]uuid.UUID, error)
	// Breached: response or update targets passed unmet.
	Breached(ctx context.Context, tx dbx.Tx, breaches []Breach) ([]uuid.UUID, error)
	// Warned: warning points were reached; tell who can still prevent each breach (or, for an
	// escalation, the level's recipients ahead).
	Warned(ctx context.Context, tx dbx.Tx, warnings []Warning) ([]uuid.UUID, error)
	// Confirmed: a customer confirmed inc's resolution (its assignee hears of it).
	Confirmed(ctx context.Context, tx dbx.Tx, inc Incident, message string) ([]uuid.UUID, error)
}

// Observer is told what firing and customer requests decided, after the decisions commit: the
// engine's metrics (internal/metrics.Set). Outcomes are breached, escalated and cancelled for
// deadlines; causes deadline and request for escalations.
type Observer interface {
	TimerFired(target, outcome string, late time.Duration)
	WarningSent(target string)
	Escalated(level int, cause string)
}

// Warning is a warning point of an incident's target reached at At: DueAt is the deadline it
// warns of, Point the fraction used in thousandths.
type Warning struct {
	Incident Incident
	Target   sla.Target
	Point    int
	At       time.Time
	DueAt    time.Time
}

// Escalation is an incident reaching an escalation level.
type Escalation struct {
	Incident Incident
	Level    int
	Reason   string // deadline, customer_request
}

// Breach is a response or update target of an incident that passed unmet at DueAt.
type Breach struct {
	Incident Incident
	Target   sla.Target
	DueAt    time.Time
}

// Outcome is what firing a timer did.
type Outcome string

// Outcomes of FireTimers.
const (
	OutcomeEarly     Outcome = "early"     // not due yet: nothing done, deliver again at DueAt
	OutcomeStale     Outcome = "stale"     // no longer pending (duplicate or late delivery)
	OutcomeCancelled Outcome = "cancelled" // the plan no longer needs it (met, re-planned, paused)
	OutcomeBreached  Outcome = "breached"  // a response or update target passed unmet
	OutcomeEscalated Outcome = "escalated" // the incident rose to the timer's level
	OutcomeWarned    Outcome = "warned"    // a warning point was reached and told
)

// Fired is what firing one timer of a batch did; Err is set for that timer alone (not_found).
type Fired struct {
	Outcome Outcome
	DueAt   time.Time
	Err     error
}

// FireTimers decides delivered timers inside one transaction: it re-reads their incidents and
// timers under lock, re-plans each incident at now, and only where the plan still says a
// deadline passed unmet records the breach or escalation, its timeline entry and notifications,
// and marks the timer fired. A duplicate, late or stale delivery changes nothing; an early one
// (asynq can start a task up to a second before its time) does nothing and says when to come
// back. The answer has one entry per id, in order. An error means nothing was written.
func (s *Service) FireTimers(ctx context.Context, ids []uuid.UUID) ([]Fired, error) {
	out := make([]Fired, len(ids))
	due, snaps, err := s.dueTimers(ctx, ids, out)
	if err != nil || len(due) == 0 {
		return out, err
	}
	now := s.clock.Now()
	b := &fireBatch{s: s, now: now, snaps: snaps}
	err = s.store.inTx(ctx, now, func(tx dbx.Tx) error {
		b.tx = tx
		return b.run(ctx, due)
	})
	if err != nil {
		return nil, translate(err, "timer")
	}
	for i, id := range ids {
		if o, ok := b.outcome[id]; ok && out[i].Err == nil && out[i].Outcome == "" {
			out[i].Outcome = o
			b.outcome[id] = OutcomeStale // the same timer twice in a batch: the second is a duplicate
		}
	}
	if s.obs != nil {
		for _, o := range b.seen {
			switch {
			case o.outcome == OutcomeWarned:
				s.obs.WarningSent(string(o.target))
			case o.warning:
			default:
				s.obs.TimerFired(string(o.target), string(o.outcome), o.late)
				if o.outcome == OutcomeEscalated {
					s.obs.Escalated(o.target.Level(), string(sla.CauseDeadline))
				}
			}
		}
	}
	s.afterCommit(ctx, b.added, b.cancelled)
	if s.sched != nil && len(b.outbox) > 0 {
		s.sched.Deliver(ctx, b.outbox)
	}
	return out, nil
}

// dueTimers makes one read without a transaction that answers missing, stale and early
// deliveries in out, and takes the planning snapshot of each incident the rest belong to (one per
// distinct tier, policy and calendar versions), so planning inside the transaction reads nothing.
// It returns the timers that are due (timer → incident) and the snapshots by incident.
func (s *Service) dueTimers(ctx context.Context, ids []uuid.UUID, out []Fired) (map[uuid.UUID]uuid.UUID, map[uuid.UUID]catalog.Snapshot, error) {
	rows, err := s.store.findDue(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[uuid.UUID]int, len(rows))
	for k, r := range rows {
		byID[r.ID] = k
	}
	now := s.clock.Now()
	due := map[uuid.UUID]uuid.UUID{} // timer → incident
	var pinned []Incident
	for i, id := range ids {
		k, ok := byID[id]
		if !ok {
			out[i].Err = translate(gorm.ErrRecordNotFound, "timer")
			continue
		}
		r := rows[k]
		out[i].DueAt = r.DueAt.UTC()
		switch {
		case r.State != "pending":
			out[i].Outcome = OutcomeStale
		case now.Before(r.DueAt):
			out[i].Outcome = OutcomeEarly
		default:
			due[id] = r.IncidentID
			pinned = append(pinned, Incident{ID: r.IncidentID, Tier: r.Tier, PolicyVersion: r.PolicyVersion, CalendarVersions: r.CalendarVersions})
		}
	}
	if s.planner == nil || len(pinned) == 0 {
		return due, nil, nil
	}
	snaps, err := s.snapshots(ctx, pinned)
	return due, snaps, err
}

package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Escalator tells people what happened, inside the transaction that records it (escalation
// ladder and notification outbox). Each call is keyed by the fact, so a repeat writes nothing.
// Each returns the outbox deliveries (e-mail, webhook) it wrote, for the queue after commit.
type Escalator interface {
	// Opened: an incident was accepted (platinum accounts' TSAM hears of every one).
	Opened(ctx context.Context, tx *gorm.DB, inc Incident, now time.Time) ([]uuid.UUID, error)
	// Escalated: the incident reached level (1 support managers, 2 executives).
	Escalated(ctx context.Context, tx *gorm.DB, inc Incident, level int, reason string, now time.Time) ([]uuid.UUID, error)
	// Breached: a response or update target passed unmet.
	Breached(ctx context.Context, tx *gorm.DB, inc Incident, target sla.Target, due, now time.Time) ([]uuid.UUID, error)
}

// Outcome is what firing a timer did.
type Outcome string

// Outcomes of FireTimer.
const (
	OutcomeEarly     Outcome = "early"     // not due yet: nothing done, deliver again at DueAt
	OutcomeStale     Outcome = "stale"     // no longer pending (duplicate or late delivery)
	OutcomeCancelled Outcome = "cancelled" // the plan no longer needs it (met, re-planned, paused)
	OutcomeBreached  Outcome = "breached"  // a response or update target passed unmet
	OutcomeEscalated Outcome = "escalated" // the incident rose to the timer's level
)

// FireTimer decides a delivered timer inside one transaction: it re-reads the incident and the
// timer under lock, re-plans at now, and only if the plan still says the deadline passed unmet
// records the breach or escalation, its timeline entry and its notifications, and marks the
// timer fired. A duplicate, late or stale delivery changes nothing; an early one (asynq can start
// a task up to a second before its time) does nothing and says when to come back.
func (s *Service) FireTimer(ctx context.Context, id uuid.UUID) (Outcome, time.Time, error) {
	var (
		outcome   Outcome
		due       time.Time
		added     []Timer
		cancelled []uuid.UUID
		outbox    []uuid.UUID
	)
	// One read answers duplicates and early deliveries without a transaction, and tells which
	// policy version to warm so planning inside the transaction needs no second connection.
	var f struct {
		IncidentID    uuid.UUID
		State         string
		DueAt         time.Time
		Tier          string
		Severity      int
		AcceptedAt    time.Time
		PolicyVersion int
	}
	res := s.store.db.WithContext(ctx).Raw(`SELECT t.incident_id, t.state, t.due_at, i.tier, i.severity, i.accepted_at, i.policy_version
		FROM sla_timers t JOIN incidents i ON i.id = t.incident_id WHERE t.id = ?`, id).Scan(&f)
	if res.Error == nil && res.RowsAffected == 0 {
		res.Error = gorm.ErrRecordNotFound
	}
	if res.Error != nil {
		return "", time.Time{}, translate(res.Error, "timer")
	}
	due = f.DueAt.UTC()
	if f.State != "pending" {
		return OutcomeStale, due, nil
	}
	if s.clock.Now().Before(due) {
		return OutcomeEarly, due, nil
	}
	if err := s.warmPlan(ctx, f.PolicyVersion, f.Tier, f.Severity, f.AcceptedAt); err != nil {
		return "", due, err
	}
	err := s.store.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var tr timerRow
		now := s.clock.Now()
		// Lock order incident → timer, as every lifecycle action takes it.
		var row incidentRow
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", f.IncidentID).Error; err != nil {
			return err
		}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&tr, "id = ?", id).Error; err != nil {
			return err
		}
		if tr.State != "pending" {
			outcome = OutcomeStale
			return nil
		}
		inc := row.toIncident()
		events, err := findEventsTx(ctx, tx, inc.ID)
		if err != nil {
			return err
		}
		res, err := s.planner.Plan(ctx, inc.PolicyVersion, PlanInput(inc, events), now)
		if err != nil {
			return err
		}
		target := sla.Target(tr.Target)
		d, ok := res.Deadline(target)
		if !ok || d.State != sla.Breached || !d.BreachedAt.Equal(tr.DueAt) {
			outcome = OutcomeCancelled
			state := "superseded"
			if ok {
				state = string(d.State)
			}
			return tx.Model(&timerRow{}).Where("id = ?", id).Updates(map[string]any{"state": "cancelled", "outcome": state}).Error
		}
		data := map[string]any{"target": target, "due_at": tr.DueAt, "late_by": now.Sub(tr.DueAt).String(),
			"timer_id": id, "explanation": catalog.FromDeadline(d, true).Explanation}
		var ev Event
		if level := target.Level(); level > 0 {
			outcome = OutcomeEscalated
			data["level"] = level
			data["reason"] = "deadline"
			ev = Event{Kind: string(sla.Escalated), Data: data}
			if level > inc.EscalationLevel {
				inc.EscalationLevel = level
			}
			if err := tx.Model(&incidentRow{}).Where("id = ?", inc.ID).Updates(map[string]any{"escalation_level": inc.EscalationLevel, "updated_at": now}).Error; err != nil {
				return err
			}
			if s.esc != nil {
				if outbox, err = s.esc.Escalated(ctx, tx, inc, level, "deadline", now); err != nil {
					return err
				}
			}
		} else {
			outcome = OutcomeBreached
			ev = Event{Kind: "sla_breached", Data: data}
			if err := creditFor(ctx, tx, inc, target, tr.DueAt, now); err != nil {
				return err
			}
			if s.esc != nil {
				if outbox, err = s.esc.Breached(ctx, tx, inc, target, tr.DueAt, now); err != nil {
					return err
				}
			}
		}
		ev.IncidentID, ev.At = inc.ID, now
		er, err := toEventRow(ev)
		if err != nil {
			return err
		}
		if err := tx.Create(&er).Error; err != nil {
			return err
		}
		if err := tx.Model(&timerRow{}).Where("id = ?", id).Updates(map[string]any{"state": "fired", "outcome": string(outcome), "fired_at": now}).Error; err != nil {
			return err
		}
		// The escalation is itself an event the plan reads (a reached level is never planned again).
		if outcome == OutcomeEscalated {
			events = append(events, ev)
		}
		added, cancelled, err = s.replan(ctx, tx, inc, events, now)
		return err
	})
	if err != nil {
		return "", due, translate(err, "timer")
	}
	s.afterCommit(ctx, added, cancelled)
	if s.sched != nil && len(outbox) > 0 {
		s.sched.Deliver(ctx, outbox)
	}
	return outcome, due, nil
}

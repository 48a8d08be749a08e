package tickets

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// Teller tells incidents' customers of their customer-visible timeline entries (SPEC §3a),
// inside the transaction that records them, so a notification exists exactly when its entry
// does. It receives every entry a step writes and decides alone, by the audience table, what
// goes out: producers do not choose. Each entry is told at most once per recipient and channel.
// A whole batch (a burst of deadlines) is told at once, in a number of statements that does not
// grow with its size. It returns the outbox deliveries (e-mail, webhook) it wrote, for the queue
// after commit.
type Teller interface {
	TellAll(ctx context.Context, tx dbx.Tx, steps []Step) ([]uuid.UUID, error)
}

// Step is what one step wrote on an incident: the incident as it now stands and the timeline
// entries, with their IDs.
type Step struct {
	Incident Incident
	Events   []Event
}

// tell hands the entries (with their IDs) to the teller, when there is one.
func (s *Service) tell(ctx context.Context, tx dbx.Tx, inc Incident, events []Event) ([]uuid.UUID, error) {
	if len(events) == 0 {
		return nil, nil
	}
	return s.tellAll(ctx, tx, []Step{{Incident: inc, Events: events}})
}

// tellAll hands the steps of a batch to the teller, when there is one.
func (s *Service) tellAll(ctx context.Context, tx dbx.Tx, steps []Step) ([]uuid.UUID, error) {
	if s.teller == nil || len(steps) == 0 {
		return nil, nil
	}
	return s.teller.TellAll(ctx, tx, steps)
}

// deliver hands outbox rows to the delivery queue after commit.
func (s *Service) deliver(ctx context.Context, ids []uuid.UUID) {
	if s.sched != nil && len(ids) > 0 {
		s.sched.Deliver(ctx, ids)
	}
}

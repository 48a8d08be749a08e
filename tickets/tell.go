package tickets

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// Teller tells an incident's customers of its customer-visible timeline entries (SPEC §3a),
// inside the transaction that records them, so a notification exists exactly when its entry
// does. It receives every entry a step writes and decides alone, by the audience table, what
// goes out: producers do not choose. Each entry is told at most once per recipient and channel.
// It returns the outbox deliveries (e-mail, webhook) it wrote, for the queue after commit.
type Teller interface {
	Tell(ctx context.Context, tx dbx.Tx, inc Incident, events []Event) ([]uuid.UUID, error)
}

// tell hands the entries (with their IDs) to the teller, when there is one.
func (s *Service) tell(ctx context.Context, tx dbx.Tx, inc Incident, events []Event) ([]uuid.UUID, error) {
	if s.teller == nil || len(events) == 0 {
		return nil, nil
	}
	return s.teller.Tell(ctx, tx, inc, events)
}

// deliver hands outbox rows to the delivery queue after commit.
func (s *Service) deliver(ctx context.Context, ids []uuid.UUID) {
	if s.sched != nil && len(ids) > 0 {
		s.sched.Deliver(ctx, ids)
	}
}

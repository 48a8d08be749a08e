package tickets

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
)

// errConfirmed refuses a customer's reopen of an incident whose resolution a customer confirmed.
var errConfirmed = conflict("resolution_confirmed",
	"the resolution was confirmed; open a new incident, or ask support to reopen this one")

// errCustomerOnly refuses staff an action that is the customer's word (SPEC §1).
var errCustomerOnly = apperr.New(apperr.Forbidden, "forbidden", "only the customer confirms a resolution")

// ConfirmResolution is the customer's word that a resolved incident is solved (SPEC §1): the
// incident stays resolved, records when (ResolutionConfirmedAt), and from then on neither the
// customer's reopen nor a reply by mail brings it back (a mail opens a follow-up incident);
// staff may still reopen it. The optional message is customer-visible. The assignee hears of it
// in their inbox, the opener and followers as customers are told of every change.
// Errors: forbidden (staff), not_found, not_in_group, not_resolved, already_confirmed,
// invalid_value (message).
func (s *Service) ConfirmResolution(ctx context.Context, actor accounts.User, id uuid.UUID, message string) (Incident, error) {
	if !actor.Role.Customer() {
		return Incident{}, errCustomerOnly
	}
	message = strings.TrimSpace(message)
	if len(message) > maxDescription {
		return Incident{}, apperr.InvalidField("message", "a message has at most %d bytes", maxDescription)
	}
	var outbox []uuid.UUID
	inc, err := s.act(ctx, id, actCheck(actor), func(tx dbx.Tx, inc *Incident, _ []Event) ([]Event, error) {
		now := tx.Now()
		if inc.Status != StatusResolved {
			return nil, conflict("not_resolved", "only a resolved incident can be confirmed")
		}
		if inc.ResolutionConfirmedAt != nil {
			return nil, conflict("already_confirmed", "the resolution is already confirmed")
		}
		inc.ResolutionConfirmedAt = &now
		if s.esc != nil {
			ids, err := s.esc.Confirmed(ctx, tx, *inc, message)
			if err != nil {
				return nil, err
			}
			outbox = ids
		}
		return []Event{{Kind: KindResolutionConfirmed, ActorID: &actor.ID, Data: map[string]any{"public": true, "message": message}}}, nil
	})
	if err == nil {
		s.deliver(ctx, outbox)
	}
	return forAudience(actor, inc, err)
}

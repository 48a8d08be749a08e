package entitlement

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

// Coverage is what a customer may know of one of their organisation's contracts when opening an
// incident: the product, its tier and state now, and the renewal facts. Identifiers, seats and
// credit rates stay in the full report (staff and org admins).
type Coverage struct {
	Product  string
	Tier     string
	State    State
	EndsAt   time.Time
	DaysLeft int
	// Supported is false for a perpetual licence without maintenance: it never gives support.
	Supported bool
	// GraceIntake is the grace policy's intake rule, meaningful in StateGrace.
	GraceIntake GraceIntake
	Renewal     RenewalFacts
}

// Coverage lists an organisation's contracts for its own customers (members included), in the
// store's order, each with its state at now. Staff read any organisation's; a customer of another
// organisation gets not_found.
// Errors: not_found.
func (s *Service) Coverage(ctx context.Context, actor accounts.User, orgID uuid.UUID) ([]Coverage, error) {
	if actor.Role.Customer() && !actor.InOrganization(orgID) {
		return nil, apperr.NotFoundf("organization not found")
	}
	ents, err := s.store.FindByOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	out := make([]Coverage, len(ents))
	for i, e := range ents {
		out[i] = Coverage{Product: e.Product, Tier: e.Tier, State: e.StateAt(now), EndsAt: e.EndsAt, DaysLeft: e.DaysLeft(now),
			Supported: e.ProvidesSupport(), GraceIntake: e.Grace.Intake, Renewal: e.Renewal(now)}
	}
	return out, nil
}

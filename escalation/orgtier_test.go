package escalation_test

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/tickets"
)

// orgTier entitles every product at the organisation's tier: the tests here are about what
// customers are told, not about contracts.
type orgTier struct {
	Orgs interface {
		FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
	}
}

func (o orgTier) Entitle(ctx context.Context, req tickets.EntitlementRequest) (tickets.Entitlement, error) {
	org, err := o.Orgs.FindOrganizationByID(ctx, req.OrganizationID)
	if err != nil {
		return tickets.Entitlement{}, err
	}
	return tickets.Entitlement{Tier: org.Tier}, nil
}

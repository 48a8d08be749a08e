package workers

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/tickets"
)

// orgTier is the entitlement check of tests that are not about entitlements: every product is
// covered and the incident takes its organisation's tier.
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

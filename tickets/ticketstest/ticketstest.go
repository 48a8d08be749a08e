// Package ticketstest holds what tests of several packages need to build a tickets.Service
// without the concern they are not about, like net/http/httptest for HTTP.
package ticketstest

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/tickets"
)

// OrgTier is the entitlement check of tests that are not about entitlements: every product is
// covered and the incident takes its organisation's tier.
type OrgTier struct {
	Orgs interface {
		FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
	}
}

// Entitle answers with the organisation's tier. Errors: the organisation look-up's.
func (o OrgTier) Entitle(ctx context.Context, req tickets.EntitlementRequest) (tickets.Entitlement, error) {
	org, err := o.Orgs.FindOrganizationByID(ctx, req.OrganizationID)
	if err != nil {
		return tickets.Entitlement{}, err
	}
	return tickets.Entitlement{Tier: org.Tier}, nil
}

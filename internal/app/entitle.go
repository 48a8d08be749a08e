package app

import (
	"context"

	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/tickets"
)

// entitlementCheck is intake's entitlement check (tickets.Entitler) over sla/entitlement: it
// turns the evaluation's decision into the incident's tier and its refusals into API errors.
type entitlementCheck struct {
	svc *entitlement.Service
}

func (c entitlementCheck) Entitle(ctx context.Context, req tickets.EntitlementRequest) (tickets.Entitlement, error) {
	d, err := c.svc.Check(ctx, req.OrganizationID, entitlement.Request{Product: req.Product, SerialNumber: req.SerialNumber,
		ActivationCode: req.ActivationCode, RegistrationKey: req.RegistrationKey}, req.At)
	if err != nil {
		return tickets.Entitlement{}, err
	}
	id := d.Entitlement.ID
	out := tickets.Entitlement{Tier: d.Tier, EntitlementID: &id, InGrace: d.InGrace, Warning: d.Warning}
	if d.InGrace {
		g := d.GraceEndsAt
		out.GraceEndsAt = &g
	}
	return out, nil
}

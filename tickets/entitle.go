package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
)

// EntitlementRequest is what intake asks the entitlement check.
type EntitlementRequest struct {
	OrganizationID  uuid.UUID
	Product         string
	SerialNumber    string
	ActivationCode  string
	RegistrationKey string
	At              time.Time
}

// Entitlement is the answer: the tier the incident takes, and the contract facts to stamp on it.
type Entitlement struct {
	Tier          string
	EntitlementID *uuid.UUID
	InGrace       bool
	GraceEndsAt   *time.Time
	Warning       string // told to the customer, e.g. that grace ends on a date
}

// Entitler decides whether an organisation may open an incident for a product at an instant.
// A refusal is an *apperr.Error: forbidden with an entitlement code, or invalid for a malformed
// identifier. Intake records every refusal as a renewal lead and passes it through unchanged.
type Entitler interface {
	Entitle(ctx context.Context, req EntitlementRequest) (Entitlement, error)
}

// OrganizationTier is the stand-in entitlement check of the foundation: every product is covered
// and the incident takes the organisation's tier. The entitlement issue replaces it.
type OrganizationTier struct {
	Orgs interface {
		FindOrganizationByID(ctx context.Context, id uuid.UUID) (accounts.Organization, error)
	}
}

// Entitle returns the organisation's tier.
func (o OrganizationTier) Entitle(ctx context.Context, req EntitlementRequest) (Entitlement, error) {
	org, err := o.Orgs.FindOrganizationByID(ctx, req.OrganizationID)
	if err != nil {
		return Entitlement{}, err
	}
	return Entitlement{Tier: org.Tier}, nil
}

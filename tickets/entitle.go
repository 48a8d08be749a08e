package tickets

import (
	"context"
	"time"

	"github.com/google/uuid"
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

package entitlement

import (
	"errors"
	"time"
)

// Codes of FieldError. They are part of the API contract.
const (
	// CodeInvalidValue is the code of every FieldError about an ordinary
	// field, matching the API's generic validation code.
	CodeInvalidValue = "invalid_value"
	// CodeInvalidActivationCode: an activation code that is not 31 letters
	// and digits once hyphens are removed.
	CodeInvalidActivationCode = "invalid_activation_code"
	// CodeInvalidRegistrationKey: a registration key not of the form
	// XX-XXXX-XXXX-XXXX-XXXX.
	CodeInvalidRegistrationKey = "invalid_registration_key"
)

// Codes of Rejection (SPEC §3). They are part of the API contract.
const (
	CodeNoEntitlement               = "no_entitlement"
	CodeProductNotCovered           = "product_not_covered"
	CodeEntitlementExpired          = "entitlement_expired"
	CodeEntitlementNotStarted       = "entitlement_not_started"
	CodePerpetualWithoutMaintenance = "perpetual_without_maintenance"
)

// ErrInvalid is wrapped by every *FieldError, so a caller can map all input
// errors of this package to one status (422) with errors.Is.
var ErrInvalid = errors.New("invalid")

// ErrRejected is wrapped by every *Rejection, so a caller can map refused
// intakes to one status (403) with errors.Is.
var ErrRejected = errors.New("intake rejected")

// FieldError reports one invalid input field. Field is the JSON name of the
// field ("ends_at", "grace_policy.days", "extensions[1].reason") so an API can
// echo it unchanged; Code is CodeInvalidValue unless the field is an
// activation code or registration key, whose malformation has its own code.
type FieldError struct {
	Code    string
	Field   string
	Message string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrInvalid) true for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, msg string) *FieldError {
	return &FieldError{Code: CodeInvalidValue, Field: field, Message: msg}
}

// Rejection is a refused intake: Code is one of the Code* rejection
// constants, Message tells a person what to do. The other fields are the
// machine-readable details for the 403 body; each is nil when it does not
// apply:
//
//   - Entitlement: the entitlement the explanation is about (nil for
//     no_entitlement and for product_not_covered without a named identifier).
//   - Renewal: set for entitlement_expired.
//   - StartsAt: set for entitlement_not_started.
//   - EndedAt: set for entitlement_expired (the contractual end, EndsAt).
type Rejection struct {
	Code        string
	Message     string
	Entitlement *Entitlement
	Renewal     *RenewalFacts
	StartsAt    *time.Time
	EndedAt     *time.Time
}

// Error returns "code: message".
func (r *Rejection) Error() string { return r.Code + ": " + r.Message }

// Unwrap makes errors.Is(err, ErrRejected) true for every Rejection.
func (r *Rejection) Unwrap() error { return ErrRejected }

package entitlement

import (
	"errors"

	"github.com/supportd/supportd/internal/apperr"
)

// toAppError maps the entitlement package's errors to API errors: a refusal is a 403 with
// its code and the renewal facts; a malformed field is a 422 with its own code.
func toAppError(err error) error {
	var rej *Rejection
	if errors.As(err, &rej) {
		ae := &apperr.Error{Kind: apperr.Forbidden, Code: rej.Code, Message: rej.Message, Details: map[string]any{}}
		if rej.Entitlement != nil {
			ae.Details["entitlement_id"] = rej.Entitlement.ID
			ae.Details["product"] = rej.Entitlement.Product
			ae.Details["ends_at"] = rej.Entitlement.EndsAt
		}
		if rej.StartsAt != nil {
			ae.Details["starts_at"] = *rej.StartsAt
		}
		if rej.EndedAt != nil {
			ae.Details["ended_at"] = *rej.EndedAt
		}
		if rej.Renewal != nil {
			v := NewRenewalView(*rej.Renewal)
			ae.Details["renewal"] = v
			ae.Details["renewable"] = v.Renewable
			ae.Details["renewable_until"] = v.RenewableUntil
			ae.Details["reinstatement_fee"] = v.ReinstatementFee
			ae.Details["new_purchase_required"] = v.NewPurchaseRequired
		}
		return ae
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &apperr.Error{Kind: apperr.Invalid, Code: fe.Code, Field: fe.Field, Message: fe.Field + " " + fe.Message}
	}
	return err
}

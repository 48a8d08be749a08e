package api

import (
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla/entitlement"
)

// entitlementWire is a contract as its organisation's report shows it: state, days left, grace
// and renewal.
type entitlementWire struct {
	ID                uuid.UUID               `json:"id"`
	OrganizationID    uuid.UUID               `json:"organization_id"`
	Product           string                  `json:"product"`
	Tier              string                  `json:"tier" enum:"standard|premium|platinum"`
	LicenseType       entitlement.LicenseType `json:"license_type"`
	Maintenance       bool                    `json:"maintenance"`
	StartsAt          time.Time               `json:"starts_at"`
	EndsAt            time.Time               `json:"ends_at"`
	State             entitlement.State       `json:"state"`
	DaysLeft          int                     `json:"days_left"`
	Seats             int                     `json:"seats"`
	SerialNumber      string                  `json:"serial_number"`
	SerialAliases     []string                `json:"serial_aliases"`
	ActivationCode    string                  `json:"activation_code"`
	RegistrationKey   string                  `json:"registration_key"`
	RenewalID         string                  `json:"renewal_id"`
	GracePolicy       gracePolicyWire         `json:"grace_policy"`
	GraceEndsAt       time.Time               `json:"grace_ends_at"`
	ExtendedUntil     *time.Time              `json:"extended_until"`
	RenewalWindowDays int                     `json:"renewal_window_days"`
	ReinstatementFee  bool                    `json:"reinstatement_fee"`
	CreditRates       map[string]float64      `json:"credit_rates"`
	Extensions        []extensionWire         `json:"extensions"`
	Renewal           renewalWire             `json:"renewal"`
}

type gracePolicyWire struct {
	Days   int                     `json:"days"`
	Intake entitlement.GraceIntake `json:"intake"`
}

type extensionWire struct {
	Until     time.Time `json:"until"`
	Reason    string    `json:"reason"`
	GrantedBy uuid.UUID `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

type renewalWire struct {
	Renewable           bool       `json:"renewable"`
	RenewableUntil      *time.Time `json:"renewable_until"`
	ReinstatementFee    bool       `json:"reinstatement_fee"`
	NewPurchaseRequired bool       `json:"new_purchase_required"`
}

func toEntitlementWire(v entitlement.View) entitlementWire {
	out := entitlementWire{ID: v.ID, OrganizationID: v.OrganizationID, Product: v.Product, Tier: v.Tier, LicenseType: v.LicenseType,
		Maintenance: v.Maintenance, StartsAt: v.StartsAt, EndsAt: v.EndsAt, State: v.State, DaysLeft: v.DaysLeft, Seats: v.Seats,
		SerialNumber: v.SerialNumber, SerialAliases: v.SerialAliases, ActivationCode: v.ActivationCode, RegistrationKey: v.RegistrationKey,
		RenewalID: v.RenewalID, GracePolicy: gracePolicyWire{Days: v.GracePolicy.Days, Intake: v.GracePolicy.Intake},
		GraceEndsAt: v.GraceEndsAt, ExtendedUntil: v.ExtendedUntil, RenewalWindowDays: v.RenewalWindowDays,
		ReinstatementFee: v.ReinstatementFee, CreditRates: v.CreditRates,
		Renewal: renewalWire{Renewable: v.Renewal.Renewable, RenewableUntil: v.Renewal.RenewableUntil,
			ReinstatementFee: v.Renewal.ReinstatementFee, NewPurchaseRequired: v.Renewal.NewPurchaseRequired}}
	if v.Extensions != nil {
		out.Extensions = make([]extensionWire, len(v.Extensions))
		for i, x := range v.Extensions {
			out.Extensions[i] = extensionWire{Until: x.Until, Reason: x.Reason, GrantedBy: x.GrantedBy, GrantedAt: x.GrantedAt}
		}
	}
	return out
}

func toEntitlementWires(vs []entitlement.View) []entitlementWire {
	if vs == nil {
		return nil
	}
	out := make([]entitlementWire, len(vs))
	for i, v := range vs {
		out[i] = toEntitlementWire(v)
	}
	return out
}

// entitlementReport is a page of an organisation's contracts.
type entitlementReport struct {
	Items          []entitlementWire `json:"items"`
	Next           string            `json:"next_cursor,omitempty"`
	OrganizationID uuid.UUID         `json:"organization_id"`
}

// coTermWire is what co-terming made of the contracts: the new periods and the contracts.
type coTermWire struct {
	EndsAt         time.Time           `json:"ends_at"`
	Items          []entitlementWire   `json:"items"`
	OrganizationID uuid.UUID           `json:"organization_id"`
	Periods        []coTermPeriodReply `json:"periods"`
}

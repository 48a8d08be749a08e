package entitlement

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// View is an entitlement as the API shows it: the contract, and its state computed at an instant.
type View struct {
	ID                uuid.UUID          `json:"id"`
	OrganizationID    uuid.UUID          `json:"organization_id"`
	Product           string             `json:"product"`
	Tier              string             `json:"tier"`
	LicenseType       LicenseType        `json:"license_type"`
	Maintenance       bool               `json:"maintenance"`
	StartsAt          time.Time          `json:"starts_at"`
	EndsAt            time.Time          `json:"ends_at"`
	State             State              `json:"state"`
	DaysLeft          int                `json:"days_left"`
	Seats             int                `json:"seats"`
	SerialNumber      string             `json:"serial_number"`
	SerialAliases     []string           `json:"serial_aliases"`
	ActivationCode    string             `json:"activation_code"`
	RegistrationKey   string             `json:"registration_key"`
	RenewalID         string             `json:"renewal_id"`
	GracePolicy       GraceView          `json:"grace_policy"`
	GraceEndsAt       time.Time          `json:"grace_ends_at"`
	ExtendedUntil     *time.Time         `json:"extended_until"`
	RenewalWindowDays int                `json:"renewal_window_days"`
	ReinstatementFee  bool               `json:"reinstatement_fee"`
	CreditRates       map[string]float64 `json:"credit_rates"`
	Extensions        []ExtensionView    `json:"extensions"`
	Renewal           RenewalView        `json:"renewal"`
}

// GraceView is the grace policy in JSON.
type GraceView struct {
	Days   int         `json:"days"`
	Intake GraceIntake `json:"intake"`
}

// ExtensionView is an extension in JSON.
type ExtensionView struct {
	Until     time.Time `json:"until"`
	Reason    string    `json:"reason"`
	GrantedBy uuid.UUID `json:"granted_by"`
	GrantedAt time.Time `json:"granted_at"`
}

// RenewalView is RenewalFacts in JSON; RenewableUntil is null when renewal has no deadline.
type RenewalView struct {
	Renewable           bool       `json:"renewable"`
	RenewableUntil      *time.Time `json:"renewable_until"`
	ReinstatementFee    bool       `json:"reinstatement_fee"`
	NewPurchaseRequired bool       `json:"new_purchase_required"`
}

// NewRenewalView converts renewal facts for JSON.
func NewRenewalView(f RenewalFacts) RenewalView {
	v := RenewalView{Renewable: f.Renewable, ReinstatementFee: f.ReinstatementFee, NewPurchaseRequired: f.NewPurchaseRequired}
	if !f.RenewableUntil.IsZero() {
		t := f.RenewableUntil
		v.RenewableUntil = &t
	}
	return v
}

// NewView computes the view of e at now.
func NewView(e Entitlement, now time.Time) View {
	v := View{ID: e.ID, OrganizationID: e.OrganizationID, Product: e.Product, Tier: e.Tier, LicenseType: e.LicenseType,
		Maintenance: e.Maintenance, StartsAt: e.StartsAt, EndsAt: e.EndsAt, State: e.StateAt(now), DaysLeft: e.DaysLeft(now),
		Seats: e.Seats, SerialNumber: e.SerialNumber, SerialAliases: e.SerialAliases, ActivationCode: e.ActivationCode,
		RegistrationKey: e.RegistrationKey, RenewalID: e.RenewalID,
		GracePolicy: GraceView{Days: e.Grace.Days, Intake: e.Grace.Intake}, GraceEndsAt: e.GraceEndsAt(),
		RenewalWindowDays: e.RenewalWindowDays, ReinstatementFee: e.ReinstatementFee,
		CreditRates: map[string]float64{}, Extensions: []ExtensionView{}, Renewal: NewRenewalView(e.Renewal(now))}
	if v.SerialAliases == nil {
		v.SerialAliases = []string{}
	}
	if u := e.ExtendedUntil(now); !u.IsZero() {
		v.ExtendedUntil = &u
	}
	for sev, r := range e.CreditRates {
		v.CreditRates[strconv.Itoa(sev)] = r
	}
	for _, x := range e.Extensions {
		v.Extensions = append(v.Extensions, ExtensionView(x))
	}
	return v
}

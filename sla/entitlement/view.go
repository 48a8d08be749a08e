package entitlement

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// View is an entitlement as the API shows it: the contract, and its state computed at an instant.
type View struct {
	ID                uuid.UUID
	OrganizationID    uuid.UUID
	Product           string
	Tier              string
	LicenseType       LicenseType
	Maintenance       bool
	StartsAt          time.Time
	EndsAt            time.Time
	State             State
	DaysLeft          int
	Seats             int
	SerialNumber      string
	SerialAliases     []string
	ActivationCode    string
	RegistrationKey   string
	RenewalID         string
	GracePolicy       GraceView
	GraceEndsAt       time.Time
	ExtendedUntil     *time.Time
	RenewalWindowDays int
	ReinstatementFee  bool
	CreditRates       map[string]float64
	Extensions        []ExtensionView
	Renewal           RenewalView
}

// GraceView is the grace policy in JSON.
type GraceView struct {
	Days   int
	Intake GraceIntake
}

// ExtensionView is an extension in JSON.
type ExtensionView struct {
	Until     time.Time
	Reason    string
	GrantedBy uuid.UUID
	GrantedAt time.Time
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

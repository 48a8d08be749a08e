package entitlement

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Tiers, lowest first. A tier is kept as a plain string because it travels
// unchanged to incidents and SLA policies, which key on the same names.
const (
	TierStandard = "standard"
	TierPremium  = "premium"
	TierPlatinum = "platinum"
)

// TierRank orders tiers: standard 1 < premium 2 < platinum 3. An unknown
// tier (including different case) ranks 0, below every valid one.
func TierRank(tier string) int {
	switch tier {
	case TierStandard:
		return 1
	case TierPremium:
		return 2
	case TierPlatinum:
		return 3
	}
	return 0
}

// LicenseType says where support comes from.
type LicenseType string

const (
	// Subscription includes standard support for its whole term.
	Subscription LicenseType = "subscription"
	// Perpetual licences never expire but carry support only while a
	// separate maintenance contract runs (Entitlement.Maintenance).
	Perpetual LicenseType = "perpetual"
)

// GraceIntake says whether incidents are accepted during the grace period.
type GraceIntake string

const (
	// GraceAccept: accepted, flagged in grace, the customer is warned.
	GraceAccept GraceIntake = "accept"
	// GraceReject: rejected as entitlement_expired. The empty GraceIntake
	// means the same, so a contract that says nothing gives no support
	// after its end.
	GraceReject GraceIntake = "reject"
)

// GracePolicy is the period after EndsAt during which the vendor still
// honours the contract. The zero value (0 days) is the default: Symantec
// abolished its 30-day grace period.
type GracePolicy struct {
	Days   int
	Intake GraceIntake
}

// RenewalWindowUnlimited as RenewalWindowDays means renewal stays possible
// forever after the end (some ESET server products have no deadline).
const RenewalWindowUnlimited = -1

// Extension is a temporary extension a manager grants while a renewal is
// processed: from the contract's end until Until the entitlement is active.
// It only counts from GrantedAt on, so evaluating a past instant gives the
// answer the customer got then.
type Extension struct {
	Until     time.Time
	Reason    string
	GrantedBy uuid.UUID
	GrantedAt time.Time
}

// Entitlement is one maintenance contract or subscription of an
// organisation. Copying the struct shares SerialAliases, CreditRates and
// Extensions; the methods of this package never modify a receiver's slices
// or maps in place.
type Entitlement struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	Product        string
	Tier           string
	LicenseType    LicenseType
	// Maintenance matters for Perpetual only: true means a maintenance
	// contract covers [StartsAt, EndsAt); false means a licence record
	// without support (intake answers perpetual_without_maintenance).
	// Subscriptions ignore it.
	Maintenance bool
	StartsAt    time.Time
	EndsAt      time.Time
	// Seats is the licensed seat count; 0 means the contract is not
	// counted in seats (e.g. hardware maintenance).
	Seats        int
	SerialNumber string
	// SerialAliases are earlier serial numbers: a renewal may issue a new
	// serial, and customers keep quoting the old one.
	SerialAliases   []string
	ActivationCode  string
	RegistrationKey string
	RenewalID       string
	Grace           GracePolicy
	// RenewalWindowDays is how long after EndsAt renewal is still possible
	// (90 ≈ ESET's three months); afterwards a new purchase is needed.
	// RenewalWindowUnlimited means no deadline.
	RenewalWindowDays int
	// ReinstatementFee: renewing after EndsAt costs a late fee (Symantec).
	ReinstatementFee bool
	// CreditRates is the SLA-credit amount per missed first-response
	// target, by severity 1–4 (premium and platinum only).
	CreditRates map[int]float64
	Extensions  []Extension
}

// ProvidesSupport reports whether the entitlement can carry support at all:
// every subscription, and a perpetual licence with a maintenance contract.
func (e Entitlement) ProvidesSupport() bool {
	return e.LicenseType != Perpetual || e.Maintenance
}

// CoversProduct reports whether the entitlement is for product, compared
// case-insensitively and ignoring surrounding spaces ("Endpoint " is
// "endpoint"). It says nothing about dates.
func (e Entitlement) CoversProduct(product string) bool {
	return sameProduct(e.Product, product)
}

func sameProduct(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// kind names the contract in messages: what the customer bought.
func (e Entitlement) kind() string {
	if e.LicenseType == Subscription {
		return "subscription"
	}
	return "maintenance"
}

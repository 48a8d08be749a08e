package entitlement

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Miss is a first response of a premium or platinum incident under a contract that passed
// unmet: what the SLA-credit ledger credits, at the contract's rate for the severity.
type Miss struct {
	OrganizationID uuid.UUID
	IncidentID     uuid.UUID
	EntitlementID  uuid.UUID
	Severity       int
	DueAt          time.Time
}

// Credit is one entry of an organisation's SLA-credit ledger.
type Credit struct {
	ID              uuid.UUID
	OrganizationID  uuid.UUID
	IncidentID      uuid.UUID
	EntitlementID   uuid.UUID
	Target          string
	Severity        int
	DueAt           time.Time
	MetAt           *time.Time // when the missed response was finally given
	LatenessSeconds *float64
	Amount          float64
	CreatedAt       time.Time
}

// Ledger is the SLA-credit ledger (table sla_credits): it lives next to the contracts whose
// credit_rates price each entry. Writes join the caller's transaction (dbx.Tx), so an entry
// exists exactly when the breach it credits does.
type Ledger struct {
	db *gorm.DB
}

// NewLedger returns the ledger on db.
func NewLedger(db *gorm.DB) *Ledger { return &Ledger{db: db} }

package entitlement

import (
	"time"

	"github.com/google/uuid"
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

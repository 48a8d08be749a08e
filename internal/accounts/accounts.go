// Package accounts holds the people and organisations of the engine: customer organisations,
// customer users and staff, their roles, and the bearer tokens they authenticate with.
package accounts

import (
	"time"

	"github.com/google/uuid"
)

// Role is what a user may do. Customers (Member, OrgAdmin) belong to an organisation; staff
// belong to an office.
type Role string

// The roles of SPEC §1.
const (
	Member         Role = "member"
	OrgAdmin       Role = "org_admin"
	Engineer       Role = "engineer"
	SupportManager Role = "support_manager"
	Executive      Role = "executive"
	Admin          Role = "admin"
)

// Roles lists every role, customers first.
var Roles = []Role{Member, OrgAdmin, Engineer, SupportManager, Executive, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Customer reports whether r is a customer role.
func (r Role) Customer() bool { return r == Member || r == OrgAdmin }

// Staff reports whether r is a vendor role.
func (r Role) Staff() bool { return r.Valid() && !r.Customer() }

// Organization is a customer organisation.
type Organization struct {
	ID     uuid.UUID  `json:"id"`
	Name   string     `json:"name"`
	Office string     `json:"office"` // the vendor office whose managers receive its escalations
	Tier   string     `json:"tier"`   // stands in for the contract tier until entitlements exist
	TSAMID *uuid.UUID `json:"tsam_id"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// User is a customer user or a staff member.
type User struct {
	ID             uuid.UUID  `json:"id"`
	Email          string     `json:"email"`
	Name           string     `json:"name"`
	Role           Role       `json:"role"`
	Senior         bool       `json:"senior"`
	OrganizationID *uuid.UUID `json:"organization_id"`
	Office         string     `json:"office"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// InOrganization reports whether u is a customer of org.
func (u User) InOrganization(org uuid.UUID) bool {
	return u.OrganizationID != nil && *u.OrganizationID == org
}

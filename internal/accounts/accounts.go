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

// Visibility is an organisation's rule for which of its incidents a member sees.
type Visibility string

// The incident visibilities. Org admins see every incident of their organisation under both.
const (
	// VisibilityOrganization: members see every incident of their organisation (SPEC §1).
	VisibilityOrganization Visibility = "organization"
	// VisibilityOwn: members see only their own incidents and their group co-members'.
	VisibilityOwn Visibility = "own"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == VisibilityOrganization || v == VisibilityOwn }

// Organization is a customer organisation.
type Organization struct {
	ID     uuid.UUID
	Name   string
	Office string // the vendor office whose managers receive its escalations
	Tier   string // stands in for the contract tier until entitlements exist
	TSAMID *uuid.UUID
	// IncidentVisibility decides what its members see; groups decide what they act on.
	IncidentVisibility Visibility

	CreatedAt time.Time
	UpdatedAt time.Time
}

// User is a customer user or a staff member.
type User struct {
	ID             uuid.UUID
	Email          string
	Name           string
	Role           Role
	Senior         bool
	OrganizationID *uuid.UUID
	Office         string
	// Locale is the user's language for pages and mail ("ja", "en"; "" follows the browser).
	Locale string
	// TimeZone is the IANA zone pages show times in ("" = the default zone).
	TimeZone string
	// DeactivatedAt is set once the user was deactivated: they can no longer sign in.
	DeactivatedAt *time.Time

	CreatedAt time.Time
	UpdatedAt time.Time

	// Circle is, for a customer authenticated by token, everyone who shares a group with them
	// (themselves included once they are in a group). A member acts on the incidents this circle
	// opened. Loaded per request by Authenticate, so removing someone from a group takes effect
	// at their next request.
	Circle []uuid.UUID
	// IncidentVisibility is the customer's organisation's rule, loaded with Circle. Empty (a user
	// not loaded through a token) reads as VisibilityOrganization, the schema's default.
	IncidentVisibility Visibility
}

// InCircle reports whether the user id is u or shares a group with u.
func (u User) InCircle(id uuid.UUID) bool {
	if id == u.ID {
		return true
	}
	for _, c := range u.Circle {
		if c == id {
			return true
		}
	}
	return false
}

// SeesOwnOnly reports whether u is a member of an organisation whose members see only their
// circle's incidents.
func (u User) SeesOwnOnly() bool { return u.Role == Member && u.IncidentVisibility == VisibilityOwn }

// InOrganization reports whether u is a customer of org.
func (u User) InOrganization(org uuid.UUID) bool {
	return u.OrganizationID != nil && *u.OrganizationID == org
}

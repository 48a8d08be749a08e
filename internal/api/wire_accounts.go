package api

import (
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
)

// organizationWire is an organisation on the wire.
type organizationWire struct {
	ID                 uuid.UUID           `json:"id"`
	Name               string              `json:"name"`
	Office             string              `json:"office"`
	Tier               string              `json:"tier" enum:"standard|premium|platinum"`
	TSAMID             *uuid.UUID          `json:"tsam_id"`
	IncidentVisibility accounts.Visibility `json:"incident_visibility"`
	CreatedAt          time.Time           `json:"created_at"`
	UpdatedAt          time.Time           `json:"updated_at"`
}

func toOrganizationWire(o accounts.Organization) organizationWire {
	return organizationWire{ID: o.ID, Name: o.Name, Office: o.Office, Tier: o.Tier, TSAMID: o.TSAMID,
		IncidentVisibility: o.IncidentVisibility, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// userWire is a user on the wire.
type userWire struct {
	ID             uuid.UUID     `json:"id"`
	Email          string        `json:"email"`
	Name           string        `json:"name"`
	Role           accounts.Role `json:"role"`
	Senior         bool          `json:"senior"`
	OrganizationID *uuid.UUID    `json:"organization_id"`
	Office         string        `json:"office"`
	Locale         string        `json:"locale" enum:"|ja|en"`
	TimeZone       string        `json:"time_zone"`
	DeactivatedAt  *time.Time    `json:"deactivated_at"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

func toUserWire(u accounts.User) userWire {
	return userWire{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Senior: u.Senior, OrganizationID: u.OrganizationID,
		Office: u.Office, Locale: u.Locale, TimeZone: u.TimeZone, DeactivatedAt: u.DeactivatedAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// groupWire is a customer group with its members on the wire.
type groupWire struct {
	ID             uuid.UUID         `json:"id"`
	OrganizationID uuid.UUID         `json:"organization_id"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	Members        []groupMemberWire `json:"members"`
	CreatedAt      time.Time         `json:"created_at"`
}

type groupMemberWire struct {
	UserID  uuid.UUID `json:"user_id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	AddedAt time.Time `json:"added_at"`
}

func toGroupWire(g accounts.Group) groupWire {
	out := groupWire{ID: g.ID, OrganizationID: g.OrganizationID, Name: g.Name, Description: g.Description, CreatedAt: g.CreatedAt}
	if g.Members != nil {
		out.Members = make([]groupMemberWire, len(g.Members))
		for i, m := range g.Members {
			out.Members[i] = groupMemberWire{UserID: m.UserID, Name: m.Name, Email: m.Email, AddedAt: m.AddedAt}
		}
	}
	return out
}

// tokenWire is a freshly made API token, shown once.
type tokenWire struct {
	Token  string    `json:"token"`
	UserID uuid.UUID `json:"user_id"`
}

// deactivatedWire says whose tokens a deactivation revoked.
type deactivatedWire struct {
	TokensRevoked int64     `json:"tokens_revoked"`
	UserID        uuid.UUID `json:"user_id"`
}

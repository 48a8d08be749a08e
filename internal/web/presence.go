package web

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// PresenceWindow is how long a staff user counts as working on an incident after their page last
// reported in (the page reports every 20 s while open, and when they type).
const PresenceWindow = 2 * time.Minute

// UserNames gives users' names by ID. *accounts.Store implements it: users are its table, so
// the presence store asks it rather than joining users itself.
type UserNames interface {
	FindUserNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error)
}

// Presence tells staff who else has an incident open: the times from its store, the names from
// the accounts.
type Presence struct {
	store *PresenceStore
	names UserNames
}

// NewPresence returns presence over its store and the source of names.
func NewPresence(s *PresenceStore, names UserNames) *Presence {
	return &Presence{store: s, names: names}
}

// Present is another staff user on the same incident.
type Present struct {
	UserID uuid.UUID
	Name   string
	SeenAt time.Time
	Typing bool
}

// Touch records that user has the incident open now (typing when they are writing in it) and
// returns the other staff users present within PresenceWindow, most recent first.
// Errors: a storage error.
func (p *Presence) Touch(ctx context.Context, incidentID, userID uuid.UUID, typing bool, now time.Time) ([]Present, error) {
	others, err := p.store.touch(ctx, incidentID, userID, typing, now, now.Add(-PresenceWindow))
	if err != nil || len(others) == 0 {
		return others, err
	}
	ids := make([]uuid.UUID, len(others))
	for i, o := range others {
		ids[i] = o.UserID
	}
	names, err := p.names.FindUserNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := others[:0]
	for _, o := range others {
		// Like the join it replaces: a user that no longer exists is left out.
		if name, ok := names[o.UserID]; ok {
			o.Name = name
			out = append(out, o)
		}
	}
	return out, nil
}

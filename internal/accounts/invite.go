package accounts

import (
	"context"
	"strings"
	"time"
)

// InvitationTTL is how long an invitation's sign-in link works: longer than a requested link's
// LinkTTL, because an invitation waits in someone's mailbox until they first look.
const InvitationTTL = 72 * time.Hour

// Invite creates a user as CreateUser does and a single-use sign-in link for them, valid for
// InvitationTTL: it signs them in once (staff and customers alike), after which they set a
// password on their account page. The link is bound to the address, like every sign-in link.
// Errors: those of CreateUser.
func (s *Store) Invite(ctx context.Context, actor User, in NewUser) (User, string, error) {
	u, err := s.CreateUser(ctx, actor, in)
	if err != nil {
		return User{}, "", err
	}
	plain, digest := NewToken()
	now := s.clock.Now()
	l := linkRow{Digest: digest, UserID: u.ID, Email: strings.ToLower(u.Email), CreatedAt: now, ExpiresAt: now.Add(InvitationTTL)}
	if err := s.insertLink(ctx, l); err != nil {
		return User{}, "", err
	}
	return u, plain, nil
}

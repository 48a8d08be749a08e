package accounts

import (
	"context"
	"strings"

	"github.com/supportd/supportd/internal/apperr"
)

var errNoStaff = apperr.New(apperr.Unauthorized, "oidc_no_staff_user",
	"the identity provider's account matches no active staff user here")

// SignInVerified starts a session for the staff user whose e-mail address an OpenID Connect
// provider verified. It never creates users: an address that is unknown, a customer's or a
// deactivated user's is refused, so a provider open to anyone grants nothing by itself.
// Errors: oidc_no_staff_user.
func (s *Store) SignInVerified(ctx context.Context, email string, c Client, p SessionPolicy) (User, string, Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return User{}, "", Session{}, errNoStaff
	}
	r, found, err := s.findUserRowByEmail(ctx, email)
	if err != nil {
		return User{}, "", Session{}, err
	}
	if !found || r.DeactivatedAt != nil || !Role(r.Role).Staff() {
		return User{}, "", Session{}, errNoStaff
	}
	secret, sess, err := s.startSession(ctx, r.ID, "oidc", c, p)
	if err != nil {
		return User{}, "", Session{}, err
	}
	return r.toUser(), secret, sess, nil
}

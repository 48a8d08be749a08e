package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/supportd/supportd/internal/apperr"
)

// Sign-in throttling: failures are counted over ThrottleWindow per address and per client IP, in
// PostgreSQL, so every API process sees the same counts.
const (
	ThrottleWindow        = 15 * time.Minute
	MaxFailuresPerAddress = 5
	MaxFailuresPerClient  = 20
	// LinkTTL is how long an e-mailed sign-in link works.
	LinkTTL = 15 * time.Minute
	// maxLinksPerWindow bounds the mail one address can be sent per ThrottleWindow.
	maxLinksPerWindow = 3
)

var (
	errBadCredentials = apperr.New(apperr.Unauthorized, "invalid_credentials", "wrong e-mail address or password")
	errThrottled      = apperr.New(apperr.Forbidden, "sign_in_throttled", "too many failed sign-ins; try again in %d minutes", int(ThrottleWindow/time.Minute))
	errBadLink        = apperr.New(apperr.Unauthorized, "invalid_link", "this sign-in link is unknown, used or expired")
)

// SignIn checks an e-mail address and password and starts a session. Unknown addresses, wrong
// passwords, users without a password and deactivated users all answer invalid_credentials
// (after the same argon2id work), and count as a failure for the address and the client IP.
// Errors: invalid_credentials, sign_in_throttled.
func (s *Store) SignIn(ctx context.Context, email, password string, c Client, p SessionPolicy) (User, string, Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.clock.Now()
	if over, err := s.throttled(ctx, email, c.IP, now); err != nil || over {
		if err == nil {
			err = errThrottled
		}
		return User{}, "", Session{}, err
	}
	r, found, err := s.findUserRowByEmail(ctx, email)
	if err != nil {
		return User{}, "", Session{}, err
	}
	hash := dummyHash
	if found {
		if h, herr := s.passwordHash(ctx, r.ID); herr != nil {
			return User{}, "", Session{}, herr
		} else if h != "" {
			hash = h
		}
	}
	ok, _ := argon2id.ComparePasswordAndHash(password, hash)
	if !found || !ok || hash == dummyHash || r.DeactivatedAt != nil {
		if ferr := s.recordFailure(ctx, email, c.IP, now); ferr != nil {
			return User{}, "", Session{}, ferr
		}
		return User{}, "", Session{}, errBadCredentials
	}
	secret, sess, err := s.startSession(ctx, r.ID, "password", c, p)
	if err != nil {
		return User{}, "", Session{}, err
	}
	return r.toUser(), secret, sess, nil
}

// RequestLink makes a single-use sign-in link token for a customer's address, valid for LinkTTL.
// ok is false, with no error, when no link is due: the address is unknown, not a customer's, a
// deactivated user's, or was sent maxLinksPerWindow links lately. Callers must answer the same
// whatever ok is, so the answer does not reveal whether the address exists.
func (s *Store) RequestLink(ctx context.Context, email string) (u User, token string, ok bool, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	r, found, err := s.findUserRowByEmail(ctx, email)
	if err != nil || !found {
		return User{}, "", false, err
	}
	if r.DeactivatedAt != nil || !Role(r.Role).Customer() {
		return User{}, "", false, nil
	}
	now := s.clock.Now()
	recent, err := s.countLinksSince(ctx, r.ID, now.Add(-ThrottleWindow))
	if err != nil {
		return User{}, "", false, err
	}
	if recent >= maxLinksPerWindow {
		return User{}, "", false, nil
	}
	plain, digest := NewToken()
	l := linkRow{Digest: digest, UserID: r.ID, Email: strings.ToLower(r.Email), CreatedAt: now, ExpiresAt: now.Add(LinkTTL)}
	if err := s.insertLink(ctx, l); err != nil {
		return User{}, "", false, err
	}
	return r.toUser(), plain, true, nil
}

// UseLink spends a sign-in link and starts a session. The link works once, before it expires,
// and only while its user still has the address it was sent to and is not deactivated.
// Errors: invalid_link.
func (s *Store) UseLink(ctx context.Context, token string, c Client, p SessionPolicy) (User, string, Session, error) {
	now := s.clock.Now()
	l, ok, err := s.spendLink(ctx, Digest(token), now)
	if err != nil {
		return User{}, "", Session{}, err
	}
	if !ok {
		return User{}, "", Session{}, errBadLink
	}
	u, err := s.FindUserByID(ctx, l.UserID)
	if err != nil {
		return User{}, "", Session{}, err
	}
	secret, sess, err := s.startSession(ctx, u.ID, "link", c, p)
	return u, secret, sess, err
}

// loadZone is time.LoadLocation; zone data is embedded (time/tzdata) by the binary.
func loadZone(name string) (*time.Location, error) { return time.LoadLocation(name) }

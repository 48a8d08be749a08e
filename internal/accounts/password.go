package accounts

import (
	"context"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
)

// Password length bounds, in characters. Long passphrases are welcome; the upper bound only
// stops a megabyte of input from being hashed.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 200
)

// passwordParams are OWASP's first argon2id recommendation (m=19 MiB, t=2, p=1): about 30 ms per
// hash on one core, so a sign-in costs little to us and a guess a lot to an attacker.
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of a password in the standard encoded form
// ($argon2id$v=19$m=…,t=…,p=…$salt$key).
// Errors: invalid_value (length).
func HashPassword(plain string) (string, error) {
	if n := utf8.RuneCountInString(plain); n < MinPasswordLength || n > MaxPasswordLength {
		return "", apperr.InvalidField("password", "a password has %d to %d characters", MinPasswordLength, MaxPasswordLength)
	}
	h, err := argon2id.CreateHash(plain, passwordParams)
	if err != nil {
		return "", apperr.Wrap(err, "hashing a password")
	}
	return h, nil
}

// dummyHash is compared against when the address is unknown, so a sign-in takes as long for a
// missing user as for a wrong password and timing does not tell whether an address exists.
var dummyHash, _ = argon2id.CreateHash("not a password of anyone", passwordParams)

// SetPassword sets a user's password: admins for anyone, org admins for their organisation's
// users, every user for themselves (with their current password, unless they have none yet and
// signed in by link). Other sessions of the user are revoked when the user changes their own,
// and all of them when someone else sets it.
// Errors: forbidden, not_found, invalid_value (password), wrong_password.
func (s *Store) SetPassword(ctx context.Context, actor User, userID uuid.UUID, current, plain string, keepSession *uuid.UUID) error {
	target, err := s.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	self := actor.ID == target.ID
	switch {
	case self, actor.Role == Admin:
	case actor.Role == OrgAdmin && target.Role.Customer() && target.OrganizationID != nil && actor.InOrganization(*target.OrganizationID):
	case actor.Role.Customer():
		return apperr.NotFoundf("user not found")
	default:
		return errForbidden
	}
	old, err := s.passwordHash(ctx, userID)
	if err != nil {
		return err
	}
	if self && old != "" {
		if ok, _ := argon2id.ComparePasswordAndHash(current, old); !ok {
			return apperr.New(apperr.Forbidden, "wrong_password", "the current password is wrong")
		}
	}
	var keep *uuid.UUID
	if self {
		keep = keepSession
	}
	return s.storePassword(ctx, userID, plain, keep)
}

// EnsurePassword sets a user's password with no permission check, for trusted callers only (the
// demo seed), and only when the stored hash does not already verify it: a user whose password is
// already that keeps it, and keeps their sessions. It reports whether it wrote; a write ends
// every session of the user.
// Errors: invalid_value (password).
func (s *Store) EnsurePassword(ctx context.Context, userID uuid.UUID, plain string) (bool, error) {
	old, err := s.passwordHash(ctx, userID)
	if err != nil {
		return false, err
	}
	if old != "" {
		if ok, _ := argon2id.ComparePasswordAndHash(plain, old); ok {
			return false, nil
		}
	}
	return true, s.storePassword(ctx, userID, plain, nil)
}

// HasPassword reports whether the user has a password set.
func (s *Store) HasPassword(ctx context.Context, userID uuid.UUID) (bool, error) {
	h, err := s.passwordHash(ctx, userID)
	return h != "", err
}

// UpdatePreferences sets the user's own language and time zone.
// Errors: invalid_value (locale, time_zone).
func (s *Store) UpdatePreferences(ctx context.Context, userID uuid.UUID, locale, zone string) error {
	if locale != "" && locale != "ja" && locale != "en" {
		return apperr.InvalidField("locale", "locale is ja, en or empty")
	}
	if zone != "" {
		if _, err := loadZone(zone); err != nil {
			return apperr.InvalidField("time_zone", "unknown time zone %q", zone)
		}
	}
	return s.updatePreferences(ctx, userID, locale, zone, s.clock.Now())
}

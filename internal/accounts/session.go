package accounts

import (
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"
)

// Browser sessions live here, beside users and tokens, because accounts owns every credential of
// a user: deactivating a user or resetting their password revokes tokens and sessions in the same
// transaction, and the web layer (internal/web) stays a pure HTTP package with no table of its own.

// SessionPolicy says how long a browser session lives.
type SessionPolicy struct {
	// Idle ends a session not used for this long.
	Idle time.Duration
	// Absolute ends a session this long after sign-in, however busy.
	Absolute time.Duration
}

// Client describes the browser a session was started from, shown on the sessions page.
type Client struct {
	UserAgent string
	IP        string
}

// Session is one signed-in browser.
type Session struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	Method     string // "password" or "link"
	Client     Client
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CSRFToken is the session's one anti-forgery token. It is derived from the session secret, so it
// is never stored and cannot be computed from the stored digest.
func CSRFToken(secret string) string {
	sum := sha256.Sum256([]byte("supportd csrf\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

package accounts

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
)

type sessionRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	UserID     uuid.UUID
	Digest     []byte
	UserAgent  string
	ClientIP   string `gorm:"column:client_ip"`
	Method     string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func (r sessionRow) toSession() Session {
	return Session{ID: r.ID, UserID: r.UserID, Method: r.Method, Client: Client{UserAgent: r.UserAgent, IP: r.ClientIP},
		CreatedAt: r.CreatedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), RevokedAt: utc(r.RevokedAt)}
}

// startSession creates a session for the user and returns its secret, shown only to the browser.
func (s *Store) startSession(ctx context.Context, userID uuid.UUID, method string, c Client, p SessionPolicy) (string, Session, error) {
	plain, digest := NewToken()
	now := s.clock.Now()
	r := sessionRow{ID: uuid.Must(uuid.NewV7()), UserID: userID, Digest: digest, UserAgent: clip(c.UserAgent, 300),
		ClientIP: clip(c.IP, 64), Method: method, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(p.Absolute)}
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return "", Session{}, dbx.Translate(err, "session")
	}
	return plain, r.toSession(), nil
}

// touchEvery bounds the writes a busy session causes: last_seen_at moves at most once a minute,
// which is all the precision idle expiry needs.
const touchEvery = time.Minute

// ResumeSession returns the user and session a session secret belongs to, and records the use.
// A revoked, idle (unused for p.Idle), expired (past p.Absolute) or deactivated user's session
// is unauthorized.
func (s *Store) ResumeSession(ctx context.Context, secret string, p SessionPolicy) (User, Session, error) {
	if secret == "" {
		return User{}, Session{}, errNoSession
	}
	now := s.clock.Now()
	var r sessionRow
	err := s.db.WithContext(ctx).Take(&r, "digest = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?",
		Digest(secret), now, now.Add(-p.Idle)).Error
	if dbx.NotFound(err) {
		return User{}, Session{}, errNoSession
	}
	if err != nil {
		return User{}, Session{}, dbx.Translate(err, "session")
	}
	u, err := s.authUser(ctx, `users u LEFT JOIN organizations o ON o.id = u.organization_id
		WHERE u.id = ? AND u.deactivated_at IS NULL`, r.UserID)
	if err != nil {
		return User{}, Session{}, errNoSession
	}
	if now.Sub(r.LastSeenAt) >= touchEvery {
		if err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", r.ID).Update("last_seen_at", now).Error; err != nil {
			return User{}, Session{}, dbx.Translate(err, "session")
		}
		r.LastSeenAt = now
	}
	return u, r.toSession(), nil
}

var errNoSession = apperr.New(apperr.Unauthorized, "unauthorized", "not signed in, or the session ended")

// EndSession revokes the session with this secret (sign-out). Unknown secrets are ignored.
func (s *Store) EndSession(ctx context.Context, secret string) error {
	err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("digest = ? AND revoked_at IS NULL", Digest(secret)).
		Update("revoked_at", s.clock.Now()).Error
	return dbx.Translate(err, "session")
}

// ListSessions returns the user's sessions still open under p, newest first.
func (s *Store) ListSessions(ctx context.Context, userID uuid.UUID, p SessionPolicy) ([]Session, error) {
	now := s.clock.Now()
	var rows []sessionRow
	if err := s.db.WithContext(ctx).Where("user_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?",
		userID, now, now.Add(-p.Idle)).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "sessions")
	}
	out := make([]Session, len(rows))
	for i, r := range rows {
		out[i] = r.toSession()
	}
	return out, nil
}

// RevokeSession ends one of the owner's sessions; another user's session is not_found.
// Errors: not_found.
func (s *Store) RevokeSession(ctx context.Context, owner uuid.UUID, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", id, owner).
		Update("revoked_at", s.clock.Now())
	if res.Error != nil {
		return dbx.Translate(res.Error, "session")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("session not found")
	}
	return nil
}

package tickets

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
)

// FormatReference makes the human-readable reference: the year of intake and a database sequence
// number, e.g. INC-2026-000042. The sequence makes it unique; the year helps people on the phone.
func FormatReference(acceptedAt time.Time, seq int64) string {
	return fmt.Sprintf("INC-%d-%06d", acceptedAt.UTC().Year(), seq)
}

// Cursor is a position in the newest-first listing.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Encode returns the opaque cursor string given to clients.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()))
}

// ParseCursor decodes a cursor given back by a client.
// Errors: invalid_value (cursor).
func ParseCursor(s string) (Cursor, error) {
	bad := apperr.InvalidField("cursor", "cursor is not one this server issued")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return Cursor{}, bad
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Cursor{}, bad
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return Cursor{}, bad
	}
	return Cursor{CreatedAt: t, ID: u}, nil
}

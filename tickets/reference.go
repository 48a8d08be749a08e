package tickets

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/page"
)

// formatReference makes the human-readable reference: the year of intake and a database sequence
// number, e.g. INC-2026-000042. The sequence makes it unique; the year helps people on the phone.
func formatReference(acceptedAt time.Time, seq int64) string {
	return fmt.Sprintf("INC-%d-%06d", acceptedAt.UTC().Year(), seq)
}

// Cursor is a position in the newest-first listing.
type Cursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Encode returns the opaque cursor string given to clients (the format of every list's cursor,
// see internal/page).
func (c Cursor) Encode() string {
	return page.Cursor{At: c.CreatedAt, ID: c.ID.String()}.Encode()
}

// ParseCursor decodes a cursor given back by a client.
// Errors: invalid_value (cursor).
func ParseCursor(s string) (Cursor, error) {
	c, err := page.ParseCursor(s)
	if err != nil {
		return Cursor{}, err
	}
	id, err := c.UUID()
	if err != nil {
		return Cursor{}, err
	}
	return Cursor{CreatedAt: c.At, ID: id}, nil
}

// Package page is the one paging scheme of every list that can grow: a limit (default 50, at
// most 200) and an opaque cursor naming the last item a client has, so that items added while a
// client pages neither repeat nor shift what it sees (keyset paging, never OFFSET). The cursor
// is the sort time of that item and its ID, encoded as GET /v1/incidents has always encoded it.
package page

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
)

// Limits of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Cursor is a position in a list: the sort time of an item and its ID, which breaks ties.
type Cursor struct {
	At time.Time
	ID string
}

// Encode returns the opaque cursor string given to clients.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + "|" + c.ID))
}

// errBad is the answer to a cursor this server did not issue.
func errBad() error { return apperr.InvalidField("cursor", "cursor is not one this server issued") }

// ParseCursor decodes a cursor given back by a client.
// Errors: invalid_value (cursor).
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, errBad()
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok || id == "" {
		return Cursor{}, errBad()
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return Cursor{}, errBad()
	}
	return Cursor{At: t, ID: id}, nil
}

// UUID is the cursor's ID for lists keyed by UUID. Errors: invalid_value (cursor).
func (c Cursor) UUID() (uuid.UUID, error) {
	u, err := uuid.Parse(c.ID)
	if err != nil {
		return u, errBad()
	}
	return u, nil
}

// Int is the cursor's ID for lists keyed by a sequence. Errors: invalid_value (cursor).
func (c Cursor) Int() (int64, error) {
	n, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil {
		return 0, errBad()
	}
	return n, nil
}

// Request is what a client asks of a list: the items after Cursor (all when nil), at most Limit.
type Request struct {
	Cursor *Cursor
	Limit  int
}

// Checked returns r with the default limit filled in.
// Errors: invalid_value (limit) outside 1–MaxLimit.
func (r Request) Checked() (Request, error) {
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.Limit < 1 || r.Limit > MaxLimit {
		return r, apperr.InvalidField("limit", "limit must be 1–%d", MaxLimit)
	}
	return r, nil
}

// Cut trims the up to limit+1 items a store read for a page to limit, and returns the cursor of
// the next page, empty on the last one. Stores read one item more than asked to know.
func Cut[T any](items []T, limit int, pos func(T) Cursor) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, pos(items[len(items)-1]).Encode()
}

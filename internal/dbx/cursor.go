package dbx

import (
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
)

// Order is the direction a paged list is read in.
type Order bool

const (
	// NewestFirst lists read below the cursor.
	NewestFirst Order = true
	// OldestFirst lists read above the cursor.
	OldestFirst Order = false
)

// AfterCursor narrows q to the rows after a page cursor on (column, id), the keyset every paged
// list of the engine uses (see internal/page); a nil cursor leaves q as it is. The caller orders
// by the same (column, id) in the same direction.
// Errors: invalid_value (cursor) when its id is not a UUID.
func AfterCursor(q *gorm.DB, c *page.Cursor, column string, order Order) (*gorm.DB, error) {
	if c == nil {
		return q, nil
	}
	id, err := c.UUID()
	if err != nil {
		return nil, err
	}
	op := ">"
	if order == NewestFirst {
		op = "<"
	}
	return q.Where("("+column+", id) "+op+" (?, ?)", c.At, id), nil
}

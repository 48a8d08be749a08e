package dbx_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/testenv"
	"gorm.io/gorm"
)

// TestAfterCursor: newest-first lists continue below the cursor, oldest-first above it, a nil
// cursor changes nothing, and a cursor whose id is no UUID is invalid_value.
func TestAfterCursor(t *testing.T) {
	db := testenv.DB(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ids := []uuid.UUID{uuid.MustParse("00000000-0000-7000-8000-000000000001"), uuid.MustParse("00000000-0000-7000-8000-000000000002"),
		uuid.MustParse("00000000-0000-7000-8000-000000000003")}
	base := db.Table("(VALUES (?::timestamptz, ?::uuid), (?::timestamptz, ?::uuid), (?::timestamptz, ?::uuid)) AS t(created_at, id)",
		at, ids[0], at, ids[1], at.Add(time.Second), ids[2])
	count := func(c *page.Cursor, order dbx.Order) int64 {
		t.Helper()
		q, err := dbx.AfterCursor(base.Session(&gorm.Session{}), c, "created_at", order)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := q.Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	mid := &page.Cursor{At: at, ID: ids[1].String()}
	if got := count(nil, dbx.NewestFirst); got != 3 {
		t.Errorf("no cursor: %d rows, want 3", got)
	}
	if got := count(mid, dbx.NewestFirst); got != 1 {
		t.Errorf("newest first below the middle row: %d rows, want 1", got)
	}
	if got := count(mid, dbx.OldestFirst); got != 1 {
		t.Errorf("oldest first above the middle row: %d rows, want 1", got)
	}
	if _, err := dbx.AfterCursor(base, &page.Cursor{At: at, ID: "x"}, "created_at", dbx.OldestFirst); !apperr.Is(err, "invalid_value") {
		t.Errorf("bad cursor id: %v, want invalid_value", err)
	}
}

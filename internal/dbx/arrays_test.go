package dbx_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/testenv"
)

// TestArraysRoundTrip: each literal reads back in PostgreSQL as exactly the values it was
// made from, in order, text with separators, quotes, backslashes and the word NULL included,
// and empty arrays as empty.
func TestArraysRoundTrip(t *testing.T) {
	db := testenv.DB(t)
	texts := []string{"escalated", "a,b", "{x}", `say "hi"`, `back\slash`, "NULL", "", "日本語 ", " lead"}
	var gotTexts []string
	if err := db.Raw("SELECT unnest(?::text[])", dbx.TextArray(texts)).Scan(&gotTexts).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotTexts, texts) {
		t.Errorf("text[]: %q, want %q", gotTexts, texts)
	}
	var nulls int
	if err := db.Raw("SELECT count(*) FROM unnest(?::text[]) AS s WHERE s IS NULL", dbx.TextArray(texts)).Scan(&nulls).Error; err != nil || nulls != 0 {
		t.Errorf("%d NULLs in text[] (%v): the word NULL became a NULL", nulls, err)
	}

	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	ns := []int{0, -7, 1 << 40}
	bs := []bool{true, false, true}
	var rows []struct {
		ID uuid.UUID
		N  int
		B  bool
	}
	if err := db.Raw("SELECT * FROM unnest(?::uuid[], ?::bigint[], ?::bool[]) AS t (id, n, b)",
		dbx.UUIDArray(ids), dbx.IntArray(ns), dbx.BoolArray(bs)).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for i, r := range rows {
		if r.ID != ids[i] || r.N != ns[i] || r.B != bs[i] {
			t.Errorf("row %d: %+v, want %v %d %v", i, r, ids[i], ns[i], bs[i])
		}
	}
	var empty int
	if err := db.Raw("SELECT count(*) FROM unnest(?::uuid[])", dbx.UUIDArray(nil)).Scan(&empty).Error; err != nil || empty != 0 {
		t.Errorf("empty uuid[]: %d rows, %v", empty, err)
	}
}

package dbx

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Array literals bind a whole column of a batch as one parameter: a statement reads
// unnest(?::uuid[], ?::int[]) AS t (id, n) where it would otherwise carry a VALUES list of n
// tuples. Its text then stays the same whatever the batch size, so the driver's statement cache
// prepares it once, and PostgreSQL plans a function scan instead of parsing a tuple per row.

// UUIDArray is ids as a PostgreSQL array literal, for a ?::uuid[] parameter.
func UUIDArray(ids []uuid.UUID) string {
	return arrayOf(ids, func(b *strings.Builder, id uuid.UUID) { b.WriteString(id.String()) })
}

// IntArray is ns as a PostgreSQL array literal, for a ?::int[] or ?::bigint[] parameter.
func IntArray(ns []int) string {
	return arrayOf(ns, func(b *strings.Builder, n int) { b.WriteString(strconv.Itoa(n)) })
}

// BoolArray is bs as a PostgreSQL array literal, for a ?::bool[] parameter.
func BoolArray(bs []bool) string {
	return arrayOf(bs, func(b *strings.Builder, v bool) {
		if v {
			b.WriteByte('t')
		} else {
			b.WriteByte('f')
		}
	})
}

// TextArray is ss as a PostgreSQL array literal, for a ?::text[] parameter: every element is
// quoted, so commas, braces, quotes, backslashes and the word NULL stay text.
func TextArray(ss []string) string {
	return arrayOf(ss, func(b *strings.Builder, s string) {
		b.WriteByte('"')
		for _, r := range s {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	})
}

func arrayOf[T any](xs []T, write func(*strings.Builder, T)) string {
	var b strings.Builder
	b.Grow(2 + 37*len(xs))
	b.WriteByte('{')
	for i, x := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		write(&b, x)
	}
	b.WriteByte('}')
	return b.String()
}

package api

import (
	"math"
	"time"
)

// The limits every request value is held to, in one place: the body decoder, the query and
// path validators and /openapi.json read them, and the README lists them. Text is counted in
// characters (Unicode code points), not bytes.

// defaultTextMax bounds every string field not named in textMax: names, identifiers, enums,
// URLs' neighbours. A field that needs more is listed below.
const defaultTextMax = 256

// textMax is the maximum length of free-text fields that need more than defaultTextMax, or
// must have less, by JSON field (or query parameter) name.
var textMax = map[string]int{
	"title":       300,
	"description": 65536,
	"body":        65536,
	"message":     65536,
	"resolution":  65536,
	"plan":        65536,
	"reason":      4000,
	"product":     100,
	"office":      100,
	"name":        200,
	"email":       254,
	"url":         2048,
	"cursor":      200,
	"code":        64,
	// Contract identifiers: generous beside their real forms (31 and 22 characters).
	"serial_number":    100,
	"activation_code":  100,
	"registration_key": 100,
	"renewal_id":       100,
}

// maxText returns the limit of a field or parameter.
func maxText(field string) int {
	if n, ok := textMax[field]; ok {
		return n
	}
	return defaultTextMax
}

// numberRange is the inclusive range a number may take.
type numberRange struct{ min, max float64 }

// defaultNumberRange bounds every number not named in numberMax: it fits PostgreSQL's integer,
// so no value can overflow a column.
var defaultNumberRange = numberRange{-math.MaxInt32, math.MaxInt32}

// numberRanges holds the ranges of numbers that have a narrower one, by field name.
var numberRanges = map[string]numberRange{
	"severity":            {1, 4},
	"level":               {1, 2},
	"seats":               {0, 10_000_000},
	"days":                {0, 3650},
	"renewal_window_days": {0, 3650},
	"business_days":       {0, 365},
	"seconds":             {0, 10 * 365 * 24 * 3600},
	"limit":               {1, 1000},
}

func rangeOf(field string) numberRange {
	if r, ok := numberRanges[field]; ok {
		return r
	}
	return defaultNumberRange
}

// Times a request may name: wide enough for any contract or incident, narrow enough that
// calendar arithmetic over them stays in range.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxHeaderBytes bounds the request line and headers together: larger is 431.
const maxHeaderBytes = 16 << 10

// maxDrain is how much of an over-limit body the server reads and discards so that the client,
// still sending, can read the 413 instead of a connection reset. Beyond it the connection is
// cut.
const maxDrain = 64 << 20

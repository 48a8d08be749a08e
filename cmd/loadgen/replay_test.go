package main

import (
	"strings"
	"testing"
)

// TestReplayKeepsMultiLineParameters: a logged parameter whose value spans lines (a notification's
// mail body) continues on tab-prefixed lines after its DETAIL line; those lines belong to the
// parameter, not to the statement, or the script ends in an unterminated literal. (pgbench
// scripts hold one statement per line, so the writer folds the line break to a space.)
func TestReplayKeepsMultiLineParameters(t *testing.T) {
	log := strings.Join([]string{
		"2026-12-01 16:00:00.000 UTC [42] postgres@bench LOG:  statement: SELECT 'begin-marker'",
		"2026-12-01 16:00:00.001 UTC [42] postgres@bench LOG:  execute stmt1: INSERT INTO notifications (body, kind)",
		"\tVALUES ($1, $2)",
		"2026-12-01 16:00:00.001 UTC [42] postgres@bench DETAIL:  parameters: $1 = 'first line",
		"\tsecond line', $2 = 'incident_received'",
		"2026-12-01 16:00:00.002 UTC [42] postgres@bench LOG:  statement: SELECT 'end-marker'",
	}, "\n")
	var out strings.Builder
	n, err := writeReplay(strings.NewReader(log), "bench", "begin-marker", "end-marker", &out)
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if n != 1 || !strings.Contains(got, "VALUES ('first line second line', 'incident_received')") {
		t.Fatalf("%d statements:\n%s", n, got)
	}
}

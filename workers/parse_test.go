package workers

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestDeadlinePayload: a task carries its timer's ID and due time to the microsecond; a task
// from before the due time was carried (the ID alone) still parses, with a zero due time.
func TestDeadlinePayload(t *testing.T) {
	id := uuid.New()
	due := time.Date(2026, 11, 23, 9, 0, 0, 123456000, time.UTC)
	gotID, gotDue, err := parseDeadline(NewDeadlineTask(id, due).Payload())
	if err != nil || gotID != id || !gotDue.Equal(due) {
		t.Fatalf("round trip: %v %v %v", gotID, gotDue, err)
	}
	gotID, gotDue, err = parseDeadline([]byte(id.String()))
	if err != nil || gotID != id || !gotDue.IsZero() {
		t.Fatalf("ID alone: %v %v %v", gotID, gotDue, err)
	}
	for _, bad := range []string{"", "x", id.String() + "@", id.String() + "@soon", "nope@123"} {
		if _, _, err := parseDeadline([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

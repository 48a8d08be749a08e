package workers

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestDeadlinePayload: a task carries its timer's ID and due time to the microsecond; a task
// without its due time (the ID alone, a format no release writes any more) is refused.
func TestDeadlinePayload(t *testing.T) {
	id := uuid.New()
	due := time.Date(2026, 11, 23, 9, 0, 0, 123456000, time.UTC)
	gotID, gotDue, err := parseDeadline(NewDeadlineTask(id, due).Payload())
	if err != nil || gotID != id || !gotDue.Equal(due) {
		t.Fatalf("round trip: %v %v %v", gotID, gotDue, err)
	}
	for _, bad := range []string{"", "x", id.String(), id.String() + "@", id.String() + "@soon", "nope@123"} {
		if _, _, err := parseDeadline([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

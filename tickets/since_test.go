package tickets

import (
	"strconv"
	"testing"
	"time"
)

// TestSinceAccepted: a claim event stores since_accepted as microseconds and is read in
// time.Duration.String's text, as an assignment writes it; events stored with the text (before
// migration 00041) read the same as before.
func TestSinceAccepted(t *testing.T) {
	us := []int64{0, 1, 999, 1000, 1001, 1500, 10000, 999999, 1000000, 1000001, 1500000, 59999999, 60000000,
		61500000, 3599999999, 3600000000, 3600000001, 3661010000, 93784005006, -1, -1500, -3600000000}
	for _, u := range us {
		e := eventRow{Kind: "assigned", Data: []byte(`{"claimed":true,"since_accepted_us":` + jsonInt(u) + `}`)}.toEvent()
		want := (time.Duration(u) * time.Microsecond).String()
		if got := e.Data["since_accepted"]; got != want {
			t.Errorf("%d µs read as %v, want %q", u, got, want)
		}
		if _, left := e.Data["since_accepted_us"]; left {
			t.Errorf("%d µs: since_accepted_us shown", u)
		}
	}
	old := eventRow{Kind: "assigned", Data: []byte(`{"claimed":true,"since_accepted":"1h2m3.5s"}`)}.toEvent()
	if old.Data["since_accepted"] != "1h2m3.5s" || len(old.Data) != 2 {
		t.Errorf("an event stored with the text reads %v", old.Data)
	}
}

func jsonInt(v int64) string { return strconv.FormatInt(v, 10) }

package sla

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Standard severity 3 accepted Mon 2026-12-28 15:00 JST: one business day
// runs 15:00–17:30 (2h30) and resumes after the year-end closure on Mon
// 2027-01-04 09:00 for 6h. The closure reads as one range though 1 January
// is also 元日, and the weekend inside it is not listed separately.
func TestExplanationLines(t *testing.T) {
	r := plan(t, Standard, 3, jst(2026, 12, 28, 15, 0), jst(2026, 12, 28, 15, 0))
	got := deadline(t, r, FirstResponse).Explanation.Lines()
	want := []string{
		"policy standard v1, severity 3, first_response: 1 business day = 8h30m of open time on jp-business",
		"Mon 2026-12-28 15:00 JST: counting starts (accepted)",
		"Mon 2026-12-28 15:00–17:30 JST: 2h30m counted, 6h left",
		"Tue 2026-12-29 – Sun 2027-01-03 closed: annual closure 12-29 – 01-03, skipped",
		"Mon 2027-01-04 09:00–15:00 JST: 6h counted",
		"due Mon 2027-01-04 15:00 JST",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExplanation24x7AndJSON(t *testing.T) {
	acc := jst(2026, 11, 20, 23, 0)
	r := plan(t, Premium, 1, acc, acc)
	exp := deadline(t, r, SupportManager).Explanation
	want := []string{
		"policy premium v1, severity 1, support_manager: 2h on 24x7",
		"Fri 2026-11-20 23:00 JST: counting starts (accepted)",
		"Fri 2026-11-20 23:00 JST – Sat 2026-11-21 01:00 JST: 2h counted (24x7)",
		"due Sat 2026-11-21 01:00 JST",
	}
	if got := exp.Lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	var steps []map[string]any
	if err := json.Unmarshal(b, &steps); err != nil || len(steps) != 2 {
		t.Fatalf("JSON = %s (%v)", b, err)
	}
	p, o := steps[0], steps[1]
	if p["kind"] != "policy" || p["tier"] != "premium" || p["target"] != "support_manager" || p["clock"] != "24x7" ||
		p["counted"] != "2h0m0s" || p["reason"] != "accepted" || p["policy_version"] != 1.0 || p["severity"] != 1.0 {
		t.Errorf("policy step JSON = %s", b)
	}
	if o["kind"] != "open" || o["counted"] != "2h0m0s" || o["from"] != "2026-11-20T23:00:00+09:00" ||
		o["text"] != want[2]+"; "+want[3] || o["note"] != "24x7" {
		t.Errorf("open step JSON = %s", b)
	}
	if _, ok := o["left"]; ok {
		t.Errorf("zero left should be omitted: %s", b)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 8*time.Hour + 30*time.Minute: "8h30m", 7 * time.Hour: "7h", 2 * time.Second: "2s",
		time.Hour + 5*time.Second: "1h5s", 1500 * time.Millisecond: "1.5s", -time.Minute: "-1m", 168 * time.Hour: "168h",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

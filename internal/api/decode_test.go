package api

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/tickets"
)

// TestDecodeBody covers the one decoding path: each refusal names its field with its code.
func TestDecodeBody(t *testing.T) {
	type nested struct {
		Days int `json:"days"`
	}
	type req struct {
		Title    string            `json:"title"`
		Reason   string            `json:"reason"`
		Seats    int               `json:"seats"`
		Severity *int              `json:"severity"`
		Grace    nested            `json:"grace_policy"`
		Until    time.Time         `json:"until"`
		Rates    map[string]int    `json:"credit_rates"`
		Tags     []string          `json:"events"`
		Any      map[string]string `json:"anything"`
	}
	long := strings.Repeat("あ", 301)
	cases := []struct {
		name, body, code, field string
	}{
		{"ok", `{"title":"x","severity":2,"until":"2027-01-01T00:00:00Z","credit_rates":{"1":5}}`, "", ""},
		{"300 Japanese characters fit", `{"title":"` + strings.Repeat("あ", 300) + `"}`, "", ""},
		{"escaped NUL", `{"title":"a\u0000b"}`, "invalid_text", "title"},
		{"raw NUL", "{\"title\":\"a\x00b\"}", "invalid_text", "title"},
		{"invalid UTF-8", "{\"title\":\"a\xff\"}", "invalid_text", "title"},
		{"lone surrogate", `{"title":"\ud800x"}`, "invalid_text", "title"},
		{"surrogate pair is fine", `{"title":"\ud83d\ude00"}`, "", ""},
		{"NUL in an array", `{"events":["ok","\u0000"]}`, "invalid_text", "events[1]"},
		{"NUL in a map value", `{"anything":{"k":"\u0000"}}`, "invalid_text", "anything.k"},
		{"unknown field", `{"title":"x","sevrity":1}`, "unknown_field", "sevrity"},
		{"unknown nested field", `{"grace_policy":{"dayz":1}}`, "unknown_field", "grace_policy.dayz"},
		{"too long title", `{"title":"` + long + `"}`, "too_long", "title"},
		{"too long reason", `{"reason":"` + strings.Repeat("r", 4001) + `"}`, "too_long", "reason"},
		{"too long other", `{"anything":{"k":"` + strings.Repeat("r", 257) + `"}}`, "too_long", "anything.k"},
		{"seats over int32", `{"seats":2147483648}`, "out_of_range", "seats"},
		{"severity 5", `{"severity":5}`, "out_of_range", "severity"},
		{"nested range", `{"grace_policy":{"days":100000}}`, "out_of_range", "grace_policy.days"},
		{"year 9999", `{"until":"9999-01-01T00:00:00Z"}`, "out_of_range", "until"},
		{"not a time", `{"until":"tomorrow"}`, "invalid_value", "until"},
		{"wrong type", `{"title":1}`, "invalid_value", "title"},
		{"broken JSON", `{"title":`, "malformed_json", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v req
			err := decodeBody([]byte(tc.body), &v)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			ae, ok := err.(*apperr.Error)
			if !ok || ae.Code != tc.code || ae.Field != tc.field {
				t.Fatalf("got %v, want %s on %q", err, tc.code, tc.field)
			}
		})
	}
}

// TestDecodeIntake: the incident body as the handler decodes it; a typo of severity is refused.
func TestDecodeIntake(t *testing.T) {
	var in tickets.NewIncident
	err := decodeBody([]byte(`{"product":"endpoint","title":"x","sevrity":1}`), &in)
	if !apperr.Is(err, "unknown_field") {
		t.Fatalf("sevrity accepted: %v", err)
	}
	if err := decodeBody([]byte(`{"product":"endpoint","title":"x","severity":1,"channel":"web"}`), &in); err != nil || *in.Severity != 1 {
		t.Fatalf("good intake refused: %v", err)
	}
}

// BenchmarkDecodeIntake is the cost the checks add to an intake body (compare
// BenchmarkUnmarshalIntake, plain encoding/json).
func BenchmarkDecodeIntake(b *testing.B) {
	body := []byte(`{"product":"endpoint","title":"All agents offline","description":"` + strings.Repeat("Agents stopped reporting. ", 40) + `","severity":2,"channel":"web","serial_number":"SN-0042"}`)
	for b.Loop() {
		var in tickets.NewIncident
		if err := decodeBody(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalIntake(b *testing.B) {
	body := []byte(`{"product":"endpoint","title":"All agents offline","description":"` + strings.Repeat("Agents stopped reporting. ", 40) + `","severity":2,"channel":"web","serial_number":"SN-0042"}`)
	for b.Loop() {
		var in tickets.NewIncident
		if err := json.Unmarshal(body, &in); err != nil {
			b.Fatal(err)
		}
	}
}

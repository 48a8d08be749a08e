package tickets

import "testing"

func TestClassify(t *testing.T) {
	sev := func(n int) *int { return &n }
	cases := []struct {
		name       string
		channel    Channel
		requested  *int
		desc       string
		want       int
		requested2 *int
		confirm    bool
	}{
		{"no severity is 3", ChannelWeb, nil, "d", 3, nil, false},
		{"web 1 stays 1", ChannelWeb, sev(1), "service down", 1, nil, false},
		{"phone 2 stays 2", ChannelPhone, sev(2), "degraded", 2, nil, false},
		{"web 4 stays 4", ChannelWeb, sev(4), "", 4, nil, false},
		{"email 1 is 3 until confirmed", ChannelEmail, sev(1), "down", 3, sev(1), true},
		{"email 2 is 3 until confirmed", ChannelEmail, sev(2), "down", 3, sev(2), true},
		{"email 3 is 3", ChannelEmail, sev(3), "", 3, nil, false},
		{"email 4 is 4", ChannelEmail, sev(4), "", 4, nil, false},
		{"email without severity is 3", ChannelEmail, nil, "", 3, nil, false},
		{"web 1 without description is too little information", ChannelWeb, sev(1), "  ", 3, sev(1), true},
		{"api 2 without description likewise", ChannelAPI, sev(2), "", 3, sev(2), true},
		{"web 3 without description is fine", ChannelWeb, sev(3), "", 3, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := classify(c.channel, c.requested, c.desc)
			if got.Severity != c.want || got.ConfirmationRequired != c.confirm {
				t.Fatalf("got %+v, want severity %d confirm %v", got, c.want, c.confirm)
			}
			if (got.Requested == nil) != (c.requested2 == nil) || (got.Requested != nil && *got.Requested != *c.requested2) {
				t.Fatalf("requested %v, want %v", got.Requested, c.requested2)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{ID: [16]byte{1, 2, 3}}
	got, err := ParseCursor(c.Encode())
	if err != nil || got != c {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []string{"", "!!", "YWJj", "MjAyNi0wMS0wMVQwMDowMDowMFp8bm90LWEtdXVpZA"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
}

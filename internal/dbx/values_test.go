package dbx

import "testing"

func TestValues(t *testing.T) {
	for n, want := range map[int]string{0: "", 1: "(?, ?)", 3: "(?, ?), (?, ?), (?, ?)"} {
		if got := Values(n, "(?, ?)"); got != want {
			t.Errorf("Values(%d) = %q, want %q", n, got, want)
		}
	}
}

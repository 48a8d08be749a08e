package mailtest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/supportd/supportd/internal/localsvc"
)

// outcome records whether skipOrFail skipped or failed, without ending the real test.
type outcome struct {
	testing.TB
	skipped, failed bool
}

func (o *outcome) Helper()               {}
func (o *outcome) Skip(...any)           { o.skipped = true }
func (o *outcome) Fatal(...any)          { o.failed = true }
func (o *outcome) Fatalf(string, ...any) { o.failed = true }

// TestMissingServerUnderCI: a missing Dovecot skips a test on a developer's machine and fails
// it under CI=true; any other start failure fails it everywhere.
func TestMissingServerUnderCI(t *testing.T) {
	missing := fmt.Errorf("localsvc: dovecot binary not found: %w", localsvc.ErrNotInstalled)
	cases := []struct {
		ci            string
		err           error
		skip, failure bool
	}{
		{"", missing, true, false},
		{"false", missing, true, false},
		{"true", missing, false, true},
		{"1", missing, false, true},
		{"", errors.New("dovecot exited: bad config"), false, true},
		{"true", errors.New("dovecot exited: bad config"), false, true},
	}
	for _, tc := range cases {
		t.Setenv("CI", tc.ci)
		o := &outcome{}
		skipOrFail(o, tc.err)
		if o.skipped != tc.skip || o.failed != tc.failure {
			t.Errorf("CI=%q, %v: skipped %v failed %v", tc.ci, tc.err, o.skipped, o.failed)
		}
	}
}

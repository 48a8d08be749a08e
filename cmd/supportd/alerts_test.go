package main

import (
	"os"
	"os/exec"
	"testing"
)

// TestAlertRules checks docs/alerts.yml with promtool (Debian package prometheus) and runs its
// unit tests, docs/alerts_test.yml: each alert fires on the series that should raise it, after
// its "for", and stays quiet before. Skipped only where promtool is missing outside CI.
func TestAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool is missing (make deps installs the prometheus package)")
		}
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "../../docs"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

package entitlement_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Contracts sit below incidents and notifications: the reminder job tells people through the
// Notifier interface it declares, so this package must never depend on tickets or escalation
// (an import cycle would be one edit away, and the rules would drag the incident model along).
func TestDependsOnNeitherTicketsNorEscalation(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/supportd/supportd/tickets", "github.com/supportd/supportd/escalation":
			t.Errorf("sla/entitlement depends on %s", dep)
		}
	}
}

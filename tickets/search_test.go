package tickets_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/tickets"
)

// Search finds an incident by its reference or by text in its title or description, Japanese
// included; LIKE wildcards in the text are literal; it never widens what a customer sees.
// Mine narrows to the caller's own.
func TestListSearchAndMine(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	open := func(u accounts.User, title, desc string) tickets.Incident {
		inc, _, err := f.svc.Open(ctx, u, tickets.NewIncident{Product: "endpoint", Title: title, Description: desc}, "")
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	org := *f.memberA.OrganizationID
	other, err := f.acc.CreateUser(ctx, f.admin, accounts.NewUser{Email: fmt.Sprintf("a2-%d@x.example", seq), Name: "a2",
		Role: accounts.Member, OrganizationID: &org})
	if err != nil {
		t.Fatal(err)
	}
	vpn := open(f.memberA, "VPN が切断される", "毎朝 9 時に接続が切れます")
	pct := open(other, "Scan at 100% CPU", "the_agent spins")
	b := open(f.memberB, "VPN down too", "")
	search := func(u accounts.User, f2 tickets.Filter) []string {
		t.Helper()
		page, err := f.svc.List(ctx, u, f2)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, i := range page.Items {
			refs = append(refs, i.Reference)
		}
		return refs
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"切断", []string{vpn.Reference}},
		{"接続", []string{vpn.Reference}},
		{"vpn", []string{vpn.Reference}}, // B's "VPN down too" is not A's to see
		{" " + pct.Reference + " ", []string{pct.Reference}},
		{"100%", []string{pct.Reference}},
		{"0%C", nil}, // a literal %: "100% CPU" has "0% C", not "0%C"
		{"the_agent", []string{pct.Reference}},
		{"the%agent", nil},
	} {
		if got := search(f.memberA, tickets.Filter{Search: c.q}); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("q=%q: got %v, want %v", c.q, got, c.want)
		}
	}
	if got := search(f.memberA, tickets.Filter{Mine: true}); fmt.Sprint(got) != fmt.Sprint([]string{vpn.Reference}) {
		t.Errorf("mine: %v", got)
	}
	if got := search(f.memberB, tickets.Filter{Search: vpn.Reference}); got != nil {
		t.Errorf("B finds A's incident by reference: %v", got)
	}
	if got := search(f.engineer, tickets.Filter{Search: b.Reference}); fmt.Sprint(got) != fmt.Sprint([]string{b.Reference}) {
		t.Errorf("staff search by reference: %v", got)
	}
}

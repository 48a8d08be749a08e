package app

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/sla/entitlement"
)

// demoPrintout is what `supportd dev` tells a new user: who is who in the demo, how to sign in
// as each, and how to reach the dev database.
type demoPrintout struct {
	Orgs        []demoOrg
	Users       []demoUser
	DatabaseURL string
	RedisURL    string
}

type demoOrg struct {
	Org       accounts.Organization
	TSAM      *accounts.User
	Contracts []entitlement.View
}

// demoUser is one demo account and its credentials. A new kind of credential (a web password,
// say) is a field here and a column in demoUserColumns.
type demoUser struct {
	User     accounts.User
	Org      string   // the customer's organisation; empty for staff
	Notes    []string // senior, TSAM of …, group …
	Password string   // web sign-in
	Token    string
}

// demoColumn is one column of a printed table.
type demoColumn[T any] struct {
	Head string
	Cell func(T) string
}

var demoOrgColumns = []demoColumn[demoOrg]{
	{"ORGANISATION", func(o demoOrg) string { return o.Org.Name }},
	{"TIER", func(o demoOrg) string { return o.Org.Tier }},
	{"OFFICE", func(o demoOrg) string { return o.Org.Office }},
	{"TSAM", func(o demoOrg) string {
		if o.TSAM == nil {
			return "-"
		}
		return o.TSAM.Email
	}},
	{"PRODUCTS (contract tier, state)", func(o demoOrg) string {
		var ps []string
		cs := slices.SortedFunc(slices.Values(o.Contracts), func(a, b entitlement.View) int { return strings.Compare(a.Product, b.Product) })
		for _, c := range cs {
			ps = append(ps, fmt.Sprintf("%s (%s, %s)", c.Product, c.Tier, c.State))
		}
		return strings.Join(ps, ", ")
	}},
}

var demoUserColumns = []demoColumn[demoUser]{
	{"ROLE", func(u demoUser) string { return string(u.User.Role) }},
	{"E-MAIL", func(u demoUser) string { return u.User.Email }},
	{"ORGANISATION / OFFICE", func(u demoUser) string {
		if u.Org != "" {
			return u.Org
		}
		if u.User.Office != "" {
			return "office " + u.User.Office
		}
		return "-"
	}},
	{"NOTES", func(u demoUser) string {
		if len(u.Notes) == 0 {
			return "-"
		}
		return strings.Join(u.Notes, "; ")
	}},
	{"PASSWORD", func(u demoUser) string { return u.Password }},
	{"TOKEN", func(u demoUser) string { return u.Token }},
}

func (d demoPrintout) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	writeTable(tw, demoOrgColumns, d.Orgs)
	fmt.Fprintln(tw)
	writeTable(tw, demoUserColumns, d.Users)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nThe passwords (web sign-in) and tokens (API) stay the same on every run with this data (they derive from the admin token).")
	fmt.Fprintf(w, "Dev database:  psql '%s'   (while this process runs)\n", redact(d.DatabaseURL))
	fmt.Fprintf(w, "Dev Redis:     redis-cli -u '%s'\n", redact(d.RedisURL))
	return nil
}

func writeTable[T any](w io.Writer, cols []demoColumn[T], rows []T) {
	for i, c := range cols {
		fmt.Fprint(w, sep(i), c.Head)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		for i, c := range cols {
			fmt.Fprint(w, sep(i), c.Cell(r))
		}
		fmt.Fprintln(w)
	}
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return "\t"
}

// redact hides a password in a connection URL: the printout is for a terminal, perhaps shared.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

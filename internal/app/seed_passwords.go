package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/supportd/supportd/internal/accounts"
)

// SeedDemoPasswords gives every demo user (the admin, the demo staff and the demo organisations'
// users) a fresh web sign-in password and prints them with the address of the web interface.
// Passwords are stored as argon2id hashes, so earlier ones cannot be shown again; setting them
// ends the users' earlier browser sessions. Call it after SeedDemo.
func (e *Engine) SeedDemoPasswords(ctx context.Context, w io.Writer) error {
	admin, err := e.Accounts.BootstrapAdmin(ctx, e.Cfg.AdminToken)
	if err != nil {
		return err
	}
	users := []accounts.User{admin}
	for _, in := range demoStaff {
		u, err := e.Accounts.FindUserByEmail(ctx, in.Email)
		if err != nil {
			return err
		}
		users = append(users, u)
	}
	for _, in := range demoOrgs {
		org, err := e.Accounts.FindOrganizationByName(ctx, in.Name)
		if err != nil {
			return err
		}
		us, err := e.Accounts.FindUsersByOrganization(ctx, org.ID, accounts.OrgAdmin, accounts.Member)
		if err != nil {
			return err
		}
		users = append(users, us...)
	}
	fmt.Fprintf(w, "\nweb sign-in (fresh passwords; the address is printed when the server listens):\n")
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "ROLE\tE-MAIL\tPASSWORD\n")
	for _, u := range users {
		pw := demoPassword()
		if err := e.Accounts.ResetPassword(ctx, u.ID, pw); err != nil {
			return fmt.Errorf("password for %s: %w", u.Email, err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Role, u.Email, pw)
	}
	return tw.Flush()
}

// demoPassword is 14 characters from an alphabet without look-alikes (no 0/O, 1/l/I), drawn
// without modulo bias.
func demoPassword() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, 14)
	var b [1]byte
	for len(out) < cap(out) {
		if _, err := rand.Read(b[:]); err != nil {
			panic("app: crypto/rand failed: " + err.Error())
		}
		if int(b[0]) < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}

package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"
)

// ensureDemoPassword gives a demo user their derived web sign-in password (see demoPassword),
// writing it only when the stored hash does not verify it: a second `supportd dev` on the same
// data neither changes the password nor ends the user's browser sessions.
func (e *Engine) ensureDemoPassword(ctx context.Context, u *demoUser) error {
	u.Password = demoPassword(e.Cfg.AdminToken, u.User.Email)
	if _, err := e.Accounts.EnsurePassword(ctx, u.User.ID, u.Password); err != nil {
		return fmt.Errorf("password for %s: %w", u.User.Email, err)
	}
	return nil
}

// demoPassword derives a demo user's web password from the admin token, like demoToken: 14
// characters from an alphabet without look-alikes (no 0/O, 1/l/I), drawn from an HMAC stream
// without modulo bias. Whoever holds the admin token may already do everything a demo user can.
func demoPassword(adminToken, email string) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, 14)
	for block := 0; len(out) < cap(out); block++ {
		m := hmac.New(sha256.New, []byte(adminToken))
		fmt.Fprintf(m, "supportd demo password\x00%s\x00%d", strings.ToLower(email), block)
		for _, b := range m.Sum(nil) {
			if int(b) < limit && len(out) < cap(out) {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

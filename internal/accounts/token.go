package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// tokenPrefix makes a leaked token recognisable to secret scanners.
const tokenPrefix = "spd_"

// NewToken returns a fresh random bearer token (256 bits) and its digest.
func NewToken() (plain string, digest []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("accounts: crypto/rand failed: " + err.Error())
	}
	plain = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return plain, Digest(plain)
}

// Digest is how a token is stored: SHA-256 is enough because tokens carry 256 random bits, so
// there is nothing for a slow hash to protect against, and lookups stay one index probe.
func Digest(plain string) []byte {
	sum := sha256.Sum256([]byte(strings.TrimSpace(plain)))
	return sum[:]
}

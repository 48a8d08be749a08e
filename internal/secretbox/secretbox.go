// Package secretbox keeps secrets the engine must read back (webhook signing secrets, mailbox
// passwords) encrypted at rest with AES-256-GCM under a key from configuration (SECRET_KEY).
//
// A sealed value is text: Prefix, then base64 of nonce and ciphertext. The prefix names the
// format's version, so values stored before a key was configured (plain text) still read, and
// callers can tell them apart (Sealed) to seal them when a key is set. Each value is bound to a
// context (the row it belongs to, say "webhook:<id>"), so a sealed value copied to another row
// does not open.
package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Prefix starts every sealed value: format version 1, AES-256-GCM with a 96-bit random nonce.
const Prefix = "sbx1:"

// KeySize is the length of a key: AES-256.
const KeySize = 32

// Errors of Open.
var (
	// ErrNoKey: the value is sealed but the box has no key (SECRET_KEY unset).
	ErrNoKey = errors.New("secretbox: the value is sealed and no key is configured")
	// ErrOpen: the value does not open with this key and context (another key, another row, or
	// altered bytes).
	ErrOpen = errors.New("secretbox: the value does not open with this key")
)

// Box seals and opens values. A nil *Box has no key: Seal keeps values as given and Open reads
// only plain ones.
type Box struct {
	aead cipher.AEAD
}

// New returns a box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secretbox: the key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// ParseKey reads a 32-byte key written as 64 hexadecimal digits or in base64 (standard or URL
// alphabet, padded or not), e.g. the output of `openssl rand -base64 32`.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("secretbox: the key must be %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("secretbox: the key must be %d bytes as 64 hex digits or base64", KeySize)
}

// Sealed reports whether stored is a sealed value (as opposed to a plain legacy one).
func Sealed(stored []byte) bool { return bytes.HasPrefix(stored, []byte(Prefix)) }

// Seal returns plain sealed for the context. Without a key (nil box) it returns plain as is.
func (b *Box) Seal(plain, context []byte) []byte {
	if b == nil {
		return append([]byte(nil), plain...)
	}
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go ≥ 1.24)
	sealed := b.aead.Seal(nonce, nonce, plain, context)
	out := make([]byte, len(Prefix)+base64.StdEncoding.EncodedLen(len(sealed)))
	copy(out, Prefix)
	base64.StdEncoding.Encode(out[len(Prefix):], sealed)
	return out
}

// Open returns the plain value of stored for the context: a sealed value decrypted, a plain
// (legacy) one as is.
// Errors: ErrNoKey, ErrOpen.
func (b *Box) Open(stored, context []byte) ([]byte, error) {
	if !Sealed(stored) {
		return append([]byte(nil), stored...), nil
	}
	if b == nil {
		return nil, ErrNoKey
	}
	raw, err := base64.StdEncoding.DecodeString(string(stored[len(Prefix):]))
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return nil, ErrOpen
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], context)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

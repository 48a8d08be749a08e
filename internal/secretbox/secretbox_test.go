package secretbox_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/supportd/supportd/internal/secretbox"
)

func box(t *testing.T, fill byte) *secretbox.Box {
	t.Helper()
	b, err := secretbox.New(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := box(t, 7)
	plain, ctx := []byte("whsec_0123456789abcdef"), []byte("webhook:1")
	s1, s2 := b.Seal(plain, ctx), b.Seal(plain, ctx)
	if !secretbox.Sealed(s1) || bytes.Contains(s1, plain) || bytes.Equal(s1, s2) {
		t.Fatalf("sealed %q %q: want prefixed, no plain text, a fresh nonce each time", s1, s2)
	}
	got, err := b.Open(s1, ctx)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q %v", got, err)
	}
	// Another context (row), another key, altered bytes: refused.
	if _, err := b.Open(s1, []byte("webhook:2")); !errors.Is(err, secretbox.ErrOpen) {
		t.Errorf("other context: %v", err)
	}
	if _, err := box(t, 8).Open(s1, ctx); !errors.Is(err, secretbox.ErrOpen) {
		t.Errorf("other key: %v", err)
	}
	bad := append([]byte(nil), s1...)
	bad[len(bad)-3] ^= 1
	if _, err := b.Open(bad, ctx); !errors.Is(err, secretbox.ErrOpen) {
		t.Errorf("altered: %v", err)
	}
	if _, err := b.Open([]byte(secretbox.Prefix+"!!"), ctx); !errors.Is(err, secretbox.ErrOpen) {
		t.Errorf("garbage: %v", err)
	}
}

func TestLegacyAndNoKey(t *testing.T) {
	var none *secretbox.Box
	legacy := []byte("plain-legacy-secret")
	for _, b := range []*secretbox.Box{none, box(t, 1)} {
		got, err := b.Open(legacy, nil)
		if err != nil || !bytes.Equal(got, legacy) {
			t.Fatalf("legacy read: %q %v", got, err)
		}
	}
	if got := none.Seal(legacy, nil); !bytes.Equal(got, legacy) || secretbox.Sealed(got) {
		t.Fatalf("no key: Seal gave %q, want the value as is", got)
	}
	if _, err := none.Open(box(t, 1).Seal(legacy, nil), nil); !errors.Is(err, secretbox.ErrNoKey) {
		t.Fatalf("sealed without a key: %v", err)
	}
}

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{hex.EncodeToString(key), base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key),
		" " + base64.StdEncoding.EncodeToString(key) + "\n"} {
		got, err := secretbox.ParseKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "short", hex.EncodeToString(key[:16]), base64.StdEncoding.EncodeToString(key[:31]), strings.Repeat("z", 64)} {
		if _, err := secretbox.ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
	if _, err := secretbox.New(key[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

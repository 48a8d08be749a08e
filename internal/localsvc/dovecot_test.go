package localsvc

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDovecotMissing: no dovecot binary, or no LMTP service when LMTP is asked for, is
// ErrNotInstalled, which the mail tests skip on (or fail on under CI).
func TestDovecotMissing(t *testing.T) {
	t.Run("dovecot", func(t *testing.T) {
		t.Setenv("PATH", "")
		old := dovecotFallback
		dovecotFallback = filepath.Join(t.TempDir(), "dovecot")
		t.Cleanup(func() { dovecotFallback = old })
		if _, err := StartDovecot(context.Background(), tempDir(t), nil, DovecotOptions{}); !isNotInstalled(err) {
			t.Fatalf("err = %v, want ErrNotInstalled", err)
		}
		if imap, lmtp := DovecotInstalled(); imap || lmtp {
			t.Errorf("DovecotInstalled = %v, %v", imap, lmtp)
		}
	})
	t.Run("lmtp", func(t *testing.T) {
		// A dovecot binary in a prefix without lib/dovecot/lmtp.
		prefix := t.TempDir()
		bin := filepath.Join(prefix, "sbin", "dovecot")
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", filepath.Dir(bin))
		if _, err := StartDovecot(context.Background(), tempDir(t), nil, DovecotOptions{LMTP: true}); !isNotInstalled(err) {
			t.Fatalf("err = %v, want ErrNotInstalled", err)
		}
		if imap, lmtp := DovecotInstalled(); !imap || lmtp {
			t.Errorf("DovecotInstalled = %v, %v; want true, false", imap, lmtp)
		}
	})
}

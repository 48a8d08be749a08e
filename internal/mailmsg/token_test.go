package mailmsg_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/mailmsg"
)

// TestTokens: a token names its incident, survives lower- or upper-casing, fits a local part,
// and does not verify when altered or under another key.
func TestTokens(t *testing.T) {
	inc := uuid.New()
	tok := fixtureSigner.Token(inc)
	for _, v := range []string{tok, strings.ToUpper(tok)} {
		if got, ok := fixtureSigner.ParseToken(v); !ok || got != inc {
			t.Errorf("ParseToken(%q) = %v, %v", v, got, ok)
		}
	}
	plus := fixtureSigner.PlusAddress("support+old@support.example.com", inc)
	local, _, _ := strings.Cut(plus, "@")
	if len(local) > 64 || local != "support+"+tok {
		t.Errorf("plus-address %q", plus)
	}
	other := mustSigner("another-key-of-sixteen+", "support.example.com")
	if _, ok := other.ParseToken(tok); ok {
		t.Error("a token verified under another key")
	}
	for i := range tok {
		c := byte('a')
		if tok[i] == 'a' {
			c = 'b'
		}
		bad := tok[:i] + string(c) + tok[i+1:]
		if _, ok := fixtureSigner.ParseToken(bad); ok {
			t.Errorf("altered token %q verified", bad)
		}
	}
	for _, bad := range []string{"", "short", tok + "a", strings.Repeat("!", len(tok))} {
		if _, ok := fixtureSigner.ParseToken(bad); ok {
			t.Errorf("%q verified", bad)
		}
	}
	n := uuid.New()
	id := fixtureSigner.MessageID(n, inc)
	if id != fixtureSigner.MessageID(n, inc) || id == fixtureSigner.MessageID(uuid.New(), inc) {
		t.Error("MessageID is not stable per notification")
	}
	for _, v := range []string{id, "<" + id + ">", fixtureSigner.IncidentMessageID(inc)} {
		if got, ok := fixtureSigner.ParseMessageID(v); !ok || got != inc {
			t.Errorf("ParseMessageID(%q) = %v, %v", v, got, ok)
		}
	}
	if _, ok := fixtureSigner.ParseMessageID(strings.Replace(id, "support.example.com", "evil.example", 1)); ok {
		t.Error("our id form at another domain verified")
	}
	if _, err := mailmsg.NewSigner([]byte("short"), "x.example"); err == nil {
		t.Error("a short key was accepted")
	}
	if _, err := mailmsg.NewSigner([]byte("long-enough-key-123"), "a@b"); err == nil {
		t.Error("a bad domain was accepted")
	}
}

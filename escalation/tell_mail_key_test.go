package escalation_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/supportd/supportd/escalation"
)

// TestMailSignerKeyKeptInDatabase: without MAIL_TOKEN_KEY every process signs with the one key
// generated on first use and kept in PostgreSQL, so a reply signed by one worker verifies in another.
func TestMailSignerKeyKeptInDatabase(t *testing.T) {
	f := newFixture(t, 0)
	inc := uuid.New()
	ctx := context.Background()
	a, err := escalation.NewMailSigner(ctx, escalation.NewStore(f.db), nil, "support.example.com")
	if err != nil {
		t.Fatal(err)
	}
	b, err := escalation.NewMailSigner(ctx, escalation.NewStore(f.db), nil, "support.example.com")
	if err != nil {
		t.Fatal(err)
	}
	var key []byte
	if err := f.db.Raw("SELECT key FROM mail_token_keys WHERE id = 1").Row().Scan(&key); err != nil || len(key) < 16 {
		t.Fatalf("stored key: %x %v", key, err)
	}
	if !bytes.Equal([]byte(a.PlusAddress("support@support.example.com", inc)), []byte(b.PlusAddress("support@support.example.com", inc))) {
		t.Fatal("two signers from the stored key sign differently")
	}
}

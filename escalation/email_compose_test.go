package escalation_test

import (
	"bytes"
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/internal/mailtest"
)

// TestComposedMailRoundTrip: a Japanese, threaded notification composed by mailmsg goes out
// through the Mailer to a real SMTP server, and what arrived reads back with every threading
// and loop-protection field and the Japanese subject and body intact.
func TestComposedMailRoundTrip(t *testing.T) {
	box := mailtest.StartSMTP(t)
	mailer, err := escalation.NewMailer("smtp://" + box.Addr + "?from=support@support.example.com")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mailmsg.NewSigner([]byte("round-trip-signing-key-0123"), "support.example.com")
	if err != nil {
		t.Fatal(err)
	}
	incident, notification := uuid.New(), uuid.New()
	customerMsg := "20261201114500.7F3A.TARO@yamada.example.jp"
	out := mailmsg.Outgoing{
		From:           mailmsg.Address{Name: "サポートセンター", Email: mailer.From()},
		To:             []mailmsg.Address{{Name: "山田 太郎", Email: "taro@yamada.example.jp"}},
		Cc:             []mailmsg.Address{{Name: "情報システム部", Email: "it@yamada.example.jp"}},
		ReplyTo:        []mailmsg.Address{{Email: signer.PlusAddress(mailer.From(), incident)}},
		Subject:        "ご報告: ゲートウェイで TLS 接続が拒否される件",
		Reference:      "INC-2026-000042",
		IncidentID:     incident,
		NotificationID: notification,
		InReplyTo:      customerMsg,
		References:     []string{signer.IncidentMessageID(incident), customerMsg},
		Text:           "山田様\n\n証明書チェーンを更新しました。\n" + strings.Repeat("ログの確認をお願いいたします。", 20) + "\n\nサポートセンター",
		Date:           time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC),
	}
	c, err := signer.Compose(out)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rcpts := []string{out.To[0].Email, out.Cc[0].Email}
	if err := mailer.SendMessage(ctx, rcpts, c.Data); err != nil {
		t.Fatal(err)
	}
	got := box.Wait(t, 1, 10*time.Second)[0]
	if got.From != mailer.From() || strings.Join(got.To, ",") != strings.Join(rcpts, ",") {
		t.Errorf("envelope %s → %v", got.From, got.To)
	}
	// SMTP's transparency (dot-stuffing) and the final CRLF leave the message as composed.
	if !bytes.Equal(bytes.TrimRight(got.Data, "\r\n"), bytes.TrimRight(c.Data, "\r\n")) {
		t.Errorf("the message changed in transit")
	}

	h, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"Message-Id":               "<" + signer.MessageID(notification, incident) + ">",
		"In-Reply-To":              "<" + customerMsg + ">",
		"References":               "<" + signer.IncidentMessageID(incident) + "> <" + customerMsg + ">",
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
	} {
		if v := strings.Join(strings.Fields(h.Header.Get(k)), " "); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	p, err := mailmsg.Parse(got.Data, mailmsg.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[INC-2026-000042] " + out.Subject; p.Subject != want {
		t.Errorf("subject = %q, want %q", p.Subject, want)
	}
	if p.Text != out.Text {
		t.Errorf("text = %q, want %q", p.Text, out.Text)
	}
	if p.From != out.From || len(p.Cc) != 1 || p.Cc[0] != out.Cc[0] {
		t.Errorf("from %+v cc %+v", p.From, p.Cc)
	}
	if id, ok := signer.ParseMessageID(p.MessageID); !ok || id != incident {
		t.Errorf("the Message-ID does not name the incident: %q", p.MessageID)
	}
	if v := mailmsg.Classify(p, mailmsg.LoopRules{OwnAddresses: []string{mailer.From()}, Signer: signer}); v.Verdict != mailmsg.VerdictOwnMail || v.MayAutoReply {
		t.Errorf("our own mail coming back is %+v", v)
	}

	// A bare line feed would be rewritten by the server's transparency rules: refused.
	if err := mailer.SendMessage(ctx, rcpts, []byte("Subject: x\n\nbody\n")); err == nil {
		t.Error("a message with bare line feeds was sent")
	}
}

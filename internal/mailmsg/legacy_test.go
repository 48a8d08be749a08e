package mailmsg_test

import (
	"testing"

	"github.com/supportd/supportd/internal/mailmsg"
)

// TestUnlabelledISO2022JP: old Japanese mail programs send ISO-2022-JP without a charset and
// even raw in the subject; the escape sequences are recognised and decoded. The lenticular
// brackets of a Japanese subject hold a reference as well as square ones.
func TestUnlabelledISO2022JP(t *testing.T) {
	// "件名: 【INC-2026-000042】 再発しました" and "再起動後に再発しました。" in ISO-2022-JP.
	subject := "\x1b$B7oL>\x1b(B: \x1b$B!Z\x1b(BINC-2026-000042\x1b$B![\x1b(B \x1b$B:FH/$7$^$7$?\x1b(B"
	body := "\x1b$B:F5/F08e$K:FH/$7$^$7$?!#\x1b(B\n"
	p := parseString(t, "From: old@legacy.example.jp\nTo: support@support.example.com\nSubject: "+subject+
		"\nMessage-ID: <old-1@legacy.example.jp>\nContent-Type: text/plain\n\n"+body)
	if want := "件名: 【INC-2026-000042】 再発しました"; p.Subject != want {
		t.Errorf("subject = %q, want %q", p.Subject, want)
	}
	if want := "再起動後に再発しました。"; p.Text != want {
		t.Errorf("text = %q, want %q", p.Text, want)
	}
	got := mailmsg.Candidates(p, fixtureSigner)
	if len(got) != 1 || got[0] != (mailmsg.Candidate{Source: mailmsg.SourceSubject, Reference: "INC-2026-000042"}) {
		t.Errorf("candidates = %+v", got)
	}
}

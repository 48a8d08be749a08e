package mailmsg_test

import (
	"testing"

	"github.com/supportd/supportd/internal/mailmsg"
)

// TestStripQuoted: the attributions of the common mail programs, and what must not be cut.
func TestStripQuoted(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"gmail one line", "Thanks!\n\nOn Mon, 30 Nov 2026 at 09:00, Support <s@x> wrote:\n> old", "Thanks!"},
		{"gmail wrapped", "Thanks!\n\nOn Mon, 30 Nov 2026 at 09:00, Support Team <support@support.example.com>\nwrote:\n> old", "Thanks!"},
		{"outlook original message", "Done.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nold", "Done."},
		{"outlook header block", "Done.\n\nFrom: Support <s@x>\nSent: Monday, November 30, 2026 5:12 PM\nTo: Bob\n\nold", "Done."},
		{"outlook japanese", "対応ありがとうございます。\n\n差出人: サポート <s@x>\n送信日時: 2026年11月30日 17:12\n宛先: 佐藤\n\n古い本文", "対応ありがとうございます。"},
		{"apple mail japanese", "了解しました。\n\n2026/12/01 10:15、サポート <s@x>のメール:\n\n> 古い本文", "了解しました。"},
		{"thunderbird japanese", "了解しました。\n\nサポート さんは書きました:\n> 古い本文", "了解しました。"},
		{"gmail japanese", "了解しました。\n\n2026年12月1日(火) 10:15 サポート <s@x>:\n> 古い本文", "了解しました。"},
		{"inline answers keep the answers", "> Which version?\n10.2.1\n> Since when?\nSince Monday.", "10.2.1\nSince Monday."},
		{"a sentence starting with From: is kept", "From: our logs, the error started at 10:00.\nPlease advise.", "From: our logs, the error started at 10:00.\nPlease advise."},
		{"a sentence starting with On is kept", "On Monday the scanner stopped.\nIt wrote: nothing.", "On Monday the scanner stopped.\nIt wrote: nothing."},
		{"all quoted stays whole", "> only a quote", "> only a quote"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mailmsg.StripQuoted(tc.in); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

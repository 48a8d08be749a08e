package mailmsg

import (
	"regexp"
	"strings"
)

// Attribution and header lines that mail programs put above the history they append to a reply.
var (
	// Gmail, Apple Mail, Thunderbird: "On Tue, 1 Dec 2026 at 10:00, Name <a@b> wrote:", which
	// Gmail wraps over two lines when it is long.
	wroteLine = regexp.MustCompile(`(?i)^on\b.{4,}\bwrote:?$`)
	// Gmail in Japanese: "2026年12月1日(火) 10:00 山田 太郎 <taro@example.jp>:".
	jaDateLine = regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日.*[:：]$`)
	// Thunderbird and others in Japanese: "山田 太郎 さんは書きました:", Apple Mail: "…のメール:".
	jaWroteLine = regexp.MustCompile(`(さんは書きました|さんが書きました|のメール)\s*[:：]?$`)
	// Outlook's separator lines.
	originalLine = regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprüngliche nachricht|元のメッセージ|転送されたメッセージ|forwarded message)\s*-{2,}$`)
	underscores  = regexp.MustCompile(`^_{10,}$`)
	// Outlook's header block: "From:" then within a few lines "Sent:"/"Date:", in English or Japanese.
	fromField = regexp.MustCompile(`(?i)^\*?(from|差出人|送信者)\s*\*?\s*[:：]`)
	sentField = regexp.MustCompile(`(?i)^\*?(sent|date|送信日時|日付)\s*\*?\s*[:：]`)
)

// StripQuoted returns the new part of a reply: the text above the first attribution line
// ("On … wrote:", Outlook's "From: … Sent: …" block or "-----Original Message-----", their
// Japanese forms), with "> " quoted lines removed from what remains. When nothing would be left,
// the whole text is returned: a reply that is all quotation is still the customer's message.
func StripQuoted(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i := 0; i < len(lines); i++ {
		if isAttribution(lines, i) {
			cut = i
			break
		}
	}
	var kept []string
	for _, l := range lines[:cut] {
		if strings.HasPrefix(strings.TrimLeft(l, " "), ">") {
			continue
		}
		kept = append(kept, l)
	}
	out := strings.TrimSpace(collapseBlankLines(strings.Join(kept, "\n")))
	if out == "" {
		return text
	}
	return out
}

func isAttribution(lines []string, i int) bool {
	l := strings.TrimSpace(lines[i])
	if l == "" || strings.HasPrefix(l, ">") {
		return false
	}
	switch {
	case originalLine.MatchString(l), jaDateLine.MatchString(l), jaWroteLine.MatchString(l):
		return true
	case wroteLine.MatchString(l):
		return true
	case strings.HasPrefix(strings.ToLower(l), "on ") && i+1 < len(lines) &&
		wroteLine.MatchString(l+" "+strings.TrimSpace(lines[i+1])):
		return true
	case underscores.MatchString(l) && i+1 < len(lines) && fromField.MatchString(strings.TrimSpace(lines[i+1])):
		return true
	case fromField.MatchString(l):
		// Only a header block: "From:" followed closely by "Sent:" or "Date:", so that a customer
		// writing "From: our logs, …" keeps their sentence.
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			if sentField.MatchString(strings.TrimSpace(lines[j])) {
				return true
			}
		}
	}
	return false
}

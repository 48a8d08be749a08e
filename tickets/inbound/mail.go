package inbound

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/supportd/supportd/internal/mailmsg"
)

// mail is a stored message being processed: its row, what Parse and Classify made of it, and
// the mailbox it came through.
type mail struct {
	row     messageRow
	p       *mailmsg.Parsed
	cls     mailmsg.Classification
	mailbox *Mailbox
}

func (m mail) key() string { return "inbound:" + m.row.ID.String() }

// body is the customer's text without the quoted history.
func (m mail) body() string {
	b := m.p.Reply
	if strings.TrimSpace(b) == "" {
		b = m.p.Text
	}
	return truncate(b, 60000)
}

// recipients are every address the message was sent to, without sub-address.
func (m mail) recipients() []string {
	var out []string
	add := func(a string) {
		a = strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>"))
		local, domain, ok := strings.Cut(a, "@")
		if !ok {
			return
		}
		local, _, _ = strings.Cut(local, "+")
		out = append(out, local+"@"+domain)
	}
	for _, r := range m.row.Recipients {
		add(r)
	}
	for _, a := range append(append([]mailmsg.Address(nil), m.p.To...), m.p.Cc...) {
		add(a.Email)
	}
	for _, k := range []string{"Delivered-To", "X-Original-To"} {
		for _, v := range m.p.Header.Values(k) {
			add(v)
		}
	}
	return out
}

// product is the mailbox's mapping for the first mapped recipient, else its default.
func (m mail) product() string {
	if m.mailbox == nil {
		return ""
	}
	for _, r := range m.recipients() {
		if p, ok := m.mailbox.ProductMap[r]; ok {
			return p
		}
	}
	return m.mailbox.DefaultProduct
}

// severityRe finds a severity the customer asks for: "Severity: 2", "sev 1", "重要度：1".
var severityRe = regexp.MustCompile(`(?i)(?:severity|sev\.?|重要度|緊急度|深刻度)\s*[:=：]?\s*([1-4])\b`)

func requestedSeverity(subject, body string) *int {
	for _, s := range []string{subject, firstLines(body, 5)} {
		if m := severityRe.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			return &n
		}
	}
	return nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|fw|fwd|aw|wg|sv|vs|antw|回复|答复|転送)\s*(\[\d+\])?\s*[:：]\s*)+`)

func title(subject string) string {
	t := strings.TrimSpace(replyPrefix.ReplaceAllString(subject, ""))
	if t == "" {
		t = "(no subject)"
	}
	return truncate(t, 300)
}

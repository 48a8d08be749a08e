package mailmsg

import (
	"strings"
)

// Verdict says what kind of mail a message is, for the loop and noise rules.
type Verdict string

// Verdicts, from the most to the least certain to be machine-made.
const (
	VerdictNormal    Verdict = "normal"     // a person wrote it
	VerdictAutoReply Verdict = "auto_reply" // an autoresponder or other automatic mail
	VerdictBounce    Verdict = "bounce"     // a delivery failure report
	VerdictBulk      Verdict = "bulk"       // a list, newsletter or no-reply sender
	VerdictOwnMail   Verdict = "own_mail"   // our own mail come back
)

// LoopRules configures Classify.
type LoopRules struct {
	// OwnAddresses are the addresses supportd sends from and receives at (lower-case compared):
	// mail from them is our own.
	OwnAddresses []string
	// Signer, when set, recognises our own Message-IDs: a message carrying one as its own
	// Message-ID is ours whatever its From says (a forwarding loop).
	Signer *Signer
}

// Classification is Classify's answer.
type Classification struct {
	Verdict Verdict
	// MayAutoReply is whether supportd may answer the message automatically: only a person's
	// mail is answered, never an autoresponder, a bounce, a list or ourselves (RFC 3834).
	MayAutoReply bool
	// Reasons names each rule that matched, e.g. "Auto-Submitted: auto-replied".
	Reasons []string
	// FailedRecipients are the addresses a bounce reports undeliverable.
	FailedRecipients []string
}

// bounceSenders and noReplySenders are local parts that never belong to a person.
var bounceSenders = []string{"mailer-daemon", "postmaster"}
var noReplySenders = []string{"no-reply", "noreply", "do-not-reply", "donotreply", "no_reply"}

// Classify applies the loop and noise rules to a parsed message. The verdict is the strongest
// that matched: own mail, then bounce, then automatic reply, then bulk.
func Classify(p *Parsed, rules LoopRules) Classification {
	var c Classification
	matched := map[Verdict]bool{}
	hit := func(v Verdict, reason string) {
		matched[v] = true
		c.Reasons = append(c.Reasons, reason)
	}
	h := p.Header
	from := strings.ToLower(p.From.Email)
	local := from
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		local = from[:i]
	}
	if base, _, ok := strings.Cut(local, "+"); ok {
		local = base
	}

	for _, own := range rules.OwnAddresses {
		if own != "" && strings.EqualFold(strings.TrimSpace(own), from) {
			hit(VerdictOwnMail, "From: our own address "+from)
		}
	}
	if rules.Signer != nil && p.MessageID != "" {
		if _, ok := rules.Signer.ParseMessageID(p.MessageID); ok {
			hit(VerdictOwnMail, "Message-ID: ours")
		}
	}

	if p.Report != nil {
		hit(VerdictBounce, "Content-Type: multipart/report; report-type=delivery-status")
		c.FailedRecipients = p.Report.FailedRecipients
	}
	for _, s := range bounceSenders {
		if local == s {
			hit(VerdictBounce, "From: "+s)
		}
	}

	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		hit(VerdictAutoReply, "Auto-Submitted: "+v)
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder"} {
		if h.Get(k) != "" {
			hit(VerdictAutoReply, k)
		}
	}
	for _, v := range h.Values("Return-Path") {
		if v = strings.TrimSpace(v); v == "<>" || v == "" {
			// A null sender (RFC 5321 §4.5.5) is how servers and autoresponders mark mail that
			// must not be answered; alone it means an automatic message. Any copy of the field
			// counts: a wrong one only makes us not answer.
			hit(VerdictAutoReply, "Return-Path: <>")
			break
		}
	}

	switch v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v {
	case "bulk", "list", "junk":
		hit(VerdictBulk, "Precedence: "+v)
	case "auto_reply":
		hit(VerdictAutoReply, "Precedence: auto_reply")
	}
	if h.Get("List-Id") != "" {
		hit(VerdictBulk, "List-Id")
	}
	for _, s := range noReplySenders {
		if local == s {
			hit(VerdictBulk, "From: "+s)
		}
	}

	c.Verdict = VerdictNormal
	for _, v := range []Verdict{VerdictOwnMail, VerdictBounce, VerdictAutoReply, VerdictBulk} {
		if matched[v] {
			c.Verdict = v
			break
		}
	}
	c.MayAutoReply = c.Verdict == VerdictNormal
	return c
}

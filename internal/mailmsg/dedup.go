package mailmsg

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// DedupKey identifies a message so that the same mail delivered twice (to two support
// addresses, or again by a retrying server) is recognised: "mid:" and its Message-ID, or, for a
// message without one, "sha256:" and a hash of the fields every copy shares (From, To, Cc, Date,
// Subject and the raw body) and not of those that differ per delivery (Received, Delivered-To,
// Return-Path). A message without a Message-ID never gets a "mid:" key, so it can match only an
// identical copy of itself, never another message that also lacks one.
func DedupKey(p *Parsed, raw []byte) string {
	if p.MessageID != "" {
		return "mid:" + p.MessageID
	}
	sum := sha256.New()
	for _, k := range []string{"From", "To", "Cc", "Date", "Subject", "Content-Type"} {
		sum.Write([]byte(k + ":" + strings.Join(strings.Fields(strings.Join(p.Header.Values(k), " ")), " ") + "\n"))
	}
	sum.Write([]byte{0})
	sum.Write(rawBody(raw))
	return "sha256:" + hex.EncodeToString(sum.Sum(nil))
}

// rawBody is what follows the header's blank line, with line ends normalised (a copy that went
// through another server may have had its CRLFs rewritten).
func rawBody(raw []byte) []byte {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return []byte(s[i+2:])
	}
	return nil
}

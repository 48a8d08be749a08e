package mailmsg

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// Signer makes and checks the incident tokens supportd puts in the addresses and Message-IDs of
// its mail, so that a reply finds its incident even when the customer's mail program drops the
// threading headers, and nobody can write into an incident by guessing a token.
//
// A token is the incident's id and the first 8 bytes of an HMAC-SHA256 over it, in lower-case
// base32 without padding: 39 characters, which fit a plus-address's local part (RFC 5321 allows
// 64) and survive mail servers that lower-case addresses.
type Signer struct {
	key    []byte
	domain string
}

// MinKeyBytes is the shortest signing key NewSigner accepts.
const MinKeyBytes = 16

const (
	macBytes   = 8
	tokenChars = 39 // base32 of 16 id bytes + macBytes
	macContext = "supportd mail token v1\x00"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSigner returns a Signer for key and the domain of our Message-IDs (e.g. the support
// address's domain). Errors: a key shorter than MinKeyBytes, or an empty or malformed domain.
func NewSigner(key []byte, domain string) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, errors.New("mailmsg: signing key shorter than 16 bytes")
	}
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || strings.ContainsAny(domain, "@<> \t\r\n") {
		return nil, errors.New("mailmsg: bad message-id domain " + domain)
	}
	return &Signer{key: append([]byte(nil), key...), domain: domain}, nil
}

// Domain is the right-hand side of our Message-IDs.
func (s *Signer) Domain() string { return s.domain }

func (s *Signer) mac(id uuid.UUID) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(macContext))
	m.Write(id[:])
	return m.Sum(nil)[:macBytes]
}

// Token returns the incident's token.
func (s *Signer) Token(incident uuid.UUID) string {
	return strings.ToLower(b32.EncodeToString(append(incident[:], s.mac(incident)...)))
}

// ParseToken returns the incident a token names, if it is one of ours. Case is ignored.
func (s *Signer) ParseToken(tok string) (uuid.UUID, bool) {
	if len(tok) != tokenChars {
		return uuid.Nil, false
	}
	b, err := b32.DecodeString(strings.ToUpper(tok))
	if err != nil || len(b) != 16+macBytes {
		return uuid.Nil, false
	}
	// The last character carries 3 unused bits: only the canonical spelling counts, so a token
	// has exactly one form (per case) and an altered one never verifies.
	if !strings.EqualFold(b32.EncodeToString(b), tok) {
		return uuid.Nil, false
	}
	id, _ := uuid.FromBytes(b[:16])
	if !hmac.Equal(b[16:], s.mac(id)) {
		return uuid.Nil, false
	}
	return id, true
}

// PlusAddress returns mailbox with the incident's token as a sub-address:
// support@example.com → support+TOKEN@example.com.
func (s *Signer) PlusAddress(mailbox string, incident uuid.UUID) string {
	local, domain, ok := strings.Cut(mailbox, "@")
	if !ok {
		return mailbox
	}
	if base, _, found := strings.Cut(local, "+"); found {
		local = base
	}
	return local + "+" + s.Token(incident) + "@" + domain
}

// MessageID returns the Message-ID (without brackets) of the mail sent for one notification
// about one incident: the same notification always gets the same id, so a mail sent twice
// after a crash is recognised by the receiver, and a reply to it names its incident.
func (s *Signer) MessageID(notification, incident uuid.UUID) string {
	return "n." + strings.ToLower(b32.EncodeToString(notification[:])) + "." + s.Token(incident) + "@" + s.domain
}

// IncidentMessageID returns the incident's stable reference id: every mail about the incident
// lists it in References, so mail programs keep the whole conversation in one thread even when
// a message in between is missing.
func (s *Signer) IncidentMessageID(incident uuid.UUID) string {
	return "i." + s.Token(incident) + "@" + s.domain
}

// ParseMessageID returns the incident named by one of our Message-IDs (either form).
func (s *Signer) ParseMessageID(id string) (uuid.UUID, bool) {
	local, domain, ok := strings.Cut(strings.Trim(strings.TrimSpace(id), "<>"), "@")
	if !ok || !strings.EqualFold(domain, s.domain) {
		return uuid.Nil, false
	}
	parts := strings.Split(local, ".")
	switch {
	case len(parts) == 2 && parts[0] == "i":
		return s.ParseToken(parts[1])
	case len(parts) == 3 && parts[0] == "n":
		return s.ParseToken(parts[2])
	}
	return uuid.Nil, false
}

// isOurDomain reports whether a Message-ID is at our domain, signed or not.
func (s *Signer) isOurDomain(id string) bool {
	_, domain, ok := strings.Cut(id, "@")
	return ok && strings.EqualFold(domain, s.domain)
}

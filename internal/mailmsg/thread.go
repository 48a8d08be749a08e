package mailmsg

import (
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// Source says where a threading candidate was found; Candidates lists them strongest first.
type Source string

// Sources, in the order they count.
const (
	// SourceMessageID: one of our Message-IDs in In-Reply-To or References.
	SourceMessageID Source = "message_id"
	// SourcePlusAddress: a signed token in a recipient's sub-address (support+TOKEN@…).
	SourcePlusAddress Source = "plus_address"
	// SourceSubject: an [INC-YYYY-NNNNNN] (or 【INC-YYYY-NNNNNN】) reference in the subject.
	// Anyone can type one, so it must count only for a sender who already takes part in that
	// incident.
	SourceSubject Source = "subject"
)

// Candidate is one hint of the incident a message belongs to.
type Candidate struct {
	Source Source
	// IncidentID is set when a signed token named the incident.
	IncidentID uuid.UUID
	// MessageID is the identifier found, for SourceMessageID. It may be ours by domain but
	// unsigned (IncidentID zero): an older notification's, to be looked up among those sent.
	MessageID string
	// Reference is the incident reference, for SourceSubject (e.g. INC-2026-000042).
	Reference string
}

// subjectRef also takes the lenticular brackets Japanese subjects often use: 【INC-…】.
var subjectRef = regexp.MustCompile(`(?i)(?:\[|【)\s*(INC-\d{4}-\d{6,})\s*(?:\]|】)`)

// envelopeHeaders are where servers record the address a message was delivered to; a Bcc'd
// plus-address appears only there.
var envelopeHeaders = []string{"Delivered-To", "X-Original-To", "Envelope-To"}

// Candidates returns the threading hints of a message, strongest first: our Message-IDs in
// In-Reply-To, then in References from the newest, then signed plus-address tokens, then subject
// references. Tokens that do not verify are ignored; s may be nil, leaving only subject
// references.
func Candidates(p *Parsed, s *Signer) []Candidate {
	var out []Candidate
	seen := map[Candidate]bool{}
	add := func(c Candidate) {
		key := c
		if c.IncidentID != uuid.Nil {
			// One signed incident counts once per source, at its strongest place.
			key.MessageID = ""
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	if s != nil {
		ids := append([]string(nil), p.InReplyTo...)
		for i := len(p.References) - 1; i >= 0; i-- {
			ids = append(ids, p.References[i])
		}
		for _, id := range ids {
			if inc, ok := s.ParseMessageID(id); ok {
				add(Candidate{Source: SourceMessageID, IncidentID: inc, MessageID: id})
			} else if s.isOurDomain(id) {
				add(Candidate{Source: SourceMessageID, MessageID: id})
			}
		}
		var rcpts []string
		for _, a := range append(append([]Address(nil), p.To...), p.Cc...) {
			rcpts = append(rcpts, a.Email)
		}
		for _, k := range envelopeHeaders {
			for _, v := range p.Header.Values(k) {
				rcpts = append(rcpts, strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>")))
			}
		}
		for _, r := range rcpts {
			local, _, _ := strings.Cut(r, "@")
			if _, tok, ok := strings.Cut(local, "+"); ok {
				if inc, ok := s.ParseToken(tok); ok {
					add(Candidate{Source: SourcePlusAddress, IncidentID: inc})
				}
			}
		}
	}
	for _, m := range subjectRef.FindAllStringSubmatch(p.Subject, -1) {
		add(Candidate{Source: SourceSubject, Reference: strings.ToUpper(m[1])})
	}
	return out
}

package inbound

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/mailmsg"
	"github.com/supportd/supportd/tickets"
)

// thread finds the incident a mail answers, in the order: our Message-IDs in
// In-Reply-To/References (and the Message-IDs of mail already filed under an incident), then a
// signed plus-address token, then an [INC-…] subject reference — the last only when the sender
// already takes part in that incident, so quoting someone else's reference opens a new incident
// instead of writing into theirs. A candidate the sender may not act on is passed over.
func (s *Service) thread(ctx context.Context, m mail, user accounts.User) (*uuid.UUID, error) {
	try := func(id uuid.UUID) (bool, error) {
		inc, err := s.incidents.Get(ctx, user, id)
		if apperr.KindOf(err) == apperr.NotFound {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return tickets.MayAct(user, inc), nil
	}
	// Our own Message-IDs first (signed: they name the incident).
	for _, c := range mailmsg.Candidates(m.p, s.signer) {
		if c.Source == mailmsg.SourceMessageID && c.IncidentID != uuid.Nil {
			if ok, err := try(c.IncidentID); ok || err != nil {
				return &c.IncidentID, err
			}
		}
	}
	// A reply to a customer's earlier mail (a colleague answering in the same thread).
	ids := append(append([]string(nil), m.p.InReplyTo...), m.p.References...)
	if len(ids) > 0 {
		found, err := s.store.findIncidentsOfMessageIDs(ctx, ids, m.row.ID)
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			if ok, err := try(id); ok || err != nil {
				return &id, err
			}
		}
	}
	for _, c := range mailmsg.Candidates(m.p, s.signer) {
		if c.Source == mailmsg.SourcePlusAddress && c.IncidentID != uuid.Nil {
			if ok, err := try(c.IncidentID); ok || err != nil {
				return &c.IncidentID, err
			}
		}
	}
	for _, c := range mailmsg.Candidates(m.p, s.signer) {
		if c.Source != mailmsg.SourceSubject {
			continue
		}
		id, err := s.incidents.FindIncidentIDByReference(ctx, c.Reference)
		if apperr.KindOf(err) == apperr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		part, err := s.incidents.Participant(ctx, id, user.ID)
		if err != nil {
			return nil, err
		}
		if !part {
			continue
		}
		if ok, err := try(id); ok || err != nil {
			return &id, err
		}
	}
	return nil, nil
}

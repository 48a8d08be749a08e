package escalation

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/tickets"
)

// findAudiences returns each incident's customer audience (by incident ID) and the webhooks
// that want each kind of note: the opener, the followers and, when the organisation asks for it,
// everyone sharing a group with the opener; each an active customer of the incident's
// organisation who may see the incident now (members of an organisation whose members see their
// own see only their circle's). internal/accounts answers who those customers are; escalation's
// own tables (followers, settings, preferences, webhooks) are read in one statement. However
// many incidents, that is one statement of ours, one of accounts', one more for the preferences
// of group co-members when an organisation notifies groups, one for the assignees' names when
// an incident has one, and one for the e-mail threads; it asks for no thread of an incident in
// opened (opened in this step: nothing about it was sent yet), so an intake spends two.
func (t *Teller) findAudiences(ctx context.Context, tx dbx.Tx, incs []tickets.Incident, keys []hookKey, opened map[uuid.UUID]bool) (map[uuid.UUID]*audience, map[hookKey][]uuid.UUID, error) {
	out := make(map[uuid.UUID]*audience, len(incs))
	var uniq []tickets.Incident
	for _, inc := range incs {
		if _, ok := out[inc.ID]; !ok {
			out[inc.ID] = &audience{thread: map[uuid.UUID][]uuid.UUID{}}
			uniq = append(uniq, inc)
		}
	}
	ours, err := readOwn(ctx, tx, uniq, keys)
	if err != nil {
		return nil, nil, err
	}
	asks := make([]accounts.ReachAsk, len(uniq))
	for i, inc := range uniq {
		asks[i] = accounts.ReachAsk{Org: inc.OrganizationID, Opener: inc.OpenedBy,
			Users: append([]uuid.UUID{inc.OpenedBy}, ours.followers[inc.ID]...), Groups: ours.orgs[inc.OrganizationID].groups}
	}
	reached, err := t.customers.FindReachIn(ctx, tx, asks)
	if err != nil {
		return nil, nil, err
	}
	if err := ours.readMorePrefs(ctx, tx, reached); err != nil {
		return nil, nil, err
	}
	for i, inc := range uniq {
		aud := out[inc.ID]
		for _, r := range reached[i] {
			if !r.Sees() {
				continue // they no longer see it
			}
			// An address known to bounce still gets its row: the delivery worker asks the mail
			// channel (DeliveryConfig.Undeliverable) and fails it at once, visibly, instead of
			// sending.
			p, ok := ours.prefs[r.User.ID]
			mail, lang := !ok || p.mail, p.language
			if lang == "" {
				lang = ours.orgs[inc.OrganizationID].language
			}
			if lang == "" {
				lang = "en"
			}
			aud.people = append(aud.people, person{ID: r.User.ID, Email: r.User.Email, Name: r.User.Name, Language: lang, Mail: mail})
		}
	}
	if err := t.findEngineers(ctx, tx, incs, out); err != nil {
		return nil, nil, err
	}
	if err := findThreads(ctx, tx, out, opened); err != nil {
		return nil, nil, err
	}
	return out, ours.hooks, nil
}

// findEngineers fills in the assignee's name of each assigned incident's audience.
func (t *Teller) findEngineers(ctx context.Context, tx dbx.Tx, incs []tickets.Incident, out map[uuid.UUID]*audience) error {
	ids := assignees(incs)
	if len(ids) == 0 {
		return nil
	}
	users, err := t.customers.FindUsersIn(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, inc := range incs {
		if inc.AssigneeID != nil {
			out[inc.ID].engineer = users[*inc.AssigneeID].Name
		}
	}
	return nil
}

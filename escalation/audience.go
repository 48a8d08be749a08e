package escalation

import (
	"sort"

	"github.com/supportd/supportd/tickets"
)

// noteVisibility decides who may read each notification kind, as tickets' table does for
// timeline entries (SPEC §1). The incident notes are written for staff: the TSAM's new-incident
// note, the escalation note to the level's recipients (with the cause and the organisation), the
// breach note to the assignee and their managers. A kind missing here is staff-only.
var noteVisibility = map[string]tickets.Audience{
	KindIncidentOpened: tickets.AudienceStaff,
	KindEscalation:     tickets.AudienceStaff,
	KindBreach:         tickets.AudienceStaff,
	KindSLAWarning:     tickets.AudienceStaff, // to the assignee, the engineers who may claim, or the level's recipients
	// The customer's confirmation, told to the assignee (customers hear of it as
	// KindIncidentResolutionConfirmed).
	KindResolutionConfirmed: tickets.AudienceStaff,
	KindRenewalReminder:     tickets.AudienceCustomer, // to the organisation's admins; no incident content
	// What customers are told of their incidents (tell.go): only customer fields of
	// customer-visible timeline entries, chosen by tickets' audience table.
	KindIncidentReceived:            tickets.AudienceCustomer,
	KindIncidentAcknowledged:        tickets.AudienceCustomer,
	KindIncidentUpdated:             tickets.AudienceCustomer,
	KindIncidentWaiting:             tickets.AudienceCustomer,
	KindIncidentResolved:            tickets.AudienceCustomer,
	KindIncidentReopened:            tickets.AudienceCustomer,
	KindIncidentSeverityChanged:     tickets.AudienceCustomer,
	KindIncidentEscalated:           tickets.AudienceCustomer,
	KindIncidentResolutionConfirmed: tickets.AudienceCustomer,
}

// NoteAudience returns who may read notifications of the kind; an undecided kind is staff-only.
// The outbox never writes a staff-only note to a customer recipient, and a customer's inbox
// never lists one.
func NoteAudience(kind string) tickets.Audience {
	if a, ok := noteVisibility[kind]; ok {
		return a
	}
	return tickets.AudienceStaff
}

// customerNoteKinds returns the kinds a customer may read, sorted.
func customerNoteKinds() []string {
	var out []string
	for k, a := range noteVisibility {
		if a == tickets.AudienceCustomer {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

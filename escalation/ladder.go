package escalation

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// Ladder is the escalation ladder (SPEC §2): level 1 goes to the support managers of the
// customer's office, level 2 to its executives (office head, sales manager); a platinum
// account's TSAM hears of every incident, breach and escalation. It implements
// tickets.Escalator: every method writes inside the caller's transaction.
type Ladder struct {
	staff  Staff
	outbox *Outbox
}

// Staff is what the ladder asks internal/accounts, inside the caller's transaction: the
// incidents' organisations, an office's staff by role, staff users by ID. Each call is one
// statement, so a batch of facts costs a few of them, not some per incident.
// *accounts.Store implements it.
type Staff interface {
	FindOrganizationsIn(ctx context.Context, tx dbx.Tx, ids []uuid.UUID) (map[uuid.UUID]accounts.Organization, error)
	// FindStaffIn returns the staff with one of the roles, of the office when it is not empty.
	FindStaffIn(ctx context.Context, tx dbx.Tx, office string, roles ...accounts.Role) ([]accounts.User, error)
	FindUsersIn(ctx context.Context, tx dbx.Tx, ids []uuid.UUID) (map[uuid.UUID]accounts.User, error)
}

// NewLadder returns the ladder: staff finds who hears of what, outbox writes it.
func NewLadder(staff Staff, outbox *Outbox) *Ladder { return &Ladder{staff: staff, outbox: outbox} }

// lookup answers the ladder's questions for one batch of facts, asking PostgreSQL each question
// once: organisations, staff per office and role, assignees.
type lookup struct {
	l     *Ladder
	tx    dbx.Tx
	orgs  map[uuid.UUID]accounts.Organization
	staff map[string][]uuid.UUID
	users map[uuid.UUID]accounts.User
}

func (l *Ladder) lookup(ctx context.Context, tx dbx.Tx, incs []tickets.Incident) (*lookup, error) {
	ids := make([]uuid.UUID, 0, len(incs))
	for _, inc := range incs {
		ids = append(ids, inc.OrganizationID)
	}
	orgs, err := l.staff.FindOrganizationsIn(ctx, tx, uniqueIDs(ids))
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := orgs[id]; !ok {
			return nil, apperr.NotFoundf("organization %s not found", id)
		}
	}
	return &lookup{l: l, tx: tx, orgs: orgs, staff: map[string][]uuid.UUID{}, users: map[uuid.UUID]accounts.User{}}, nil
}

// readAssignees reads the incidents' assignees for user, in one statement.
func (lk *lookup) readAssignees(ctx context.Context, incs []tickets.Incident) error {
	ids := assignees(incs)
	if len(ids) == 0 {
		return nil
	}
	users, err := lk.l.staff.FindUsersIn(ctx, lk.tx, ids)
	if err != nil {
		return err
	}
	for id, u := range users {
		lk.users[id] = u
	}
	return nil
}

// assignees returns the incidents' assignees, each once.
func assignees(incs []tickets.Incident) []uuid.UUID {
	var ids []uuid.UUID
	for _, inc := range incs {
		if inc.AssigneeID != nil {
			ids = append(ids, *inc.AssigneeID)
		}
	}
	return uniqueIDs(ids)
}

// staffOf returns the office's staff with the role; when the office has none, every office's,
// so an escalation always reaches someone. The users are kept for user.
func (lk *lookup) staffOf(ctx context.Context, office string, role accounts.Role) ([]uuid.UUID, error) {
	key := string(role) + "\x00" + office
	if ids, ok := lk.staff[key]; ok {
		return ids, nil
	}
	us, err := lk.l.staff.FindStaffIn(ctx, lk.tx, office, role)
	if err == nil && len(us) == 0 && office != "" {
		us, err = lk.l.staff.FindStaffIn(ctx, lk.tx, "", role)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, len(us))
	for i, u := range us {
		ids[i] = u.ID
		lk.users[u.ID] = u
	}
	lk.staff[key] = ids
	return ids, nil
}

// tsam returns the incident's organisation and, for a platinum incident of an account with a
// TSAM, the TSAM.
func (lk *lookup) tsam(inc tickets.Incident) (accounts.Organization, []uuid.UUID) {
	org := lk.orgs[inc.OrganizationID]
	if org.TSAMID != nil && inc.Tier == string(sla.Platinum) {
		return org, []uuid.UUID{*org.TSAMID}
	}
	return org, nil
}

// user returns an assignee (readAssignees) or a staff member staffOf returned, as read for the
// batch (the zero user when unknown).
func (lk *lookup) user(id uuid.UUID) accounts.User { return lk.users[id] }

// Opened tells a platinum account's TSAM about a new incident.
func (l *Ladder) Opened(ctx context.Context, dtx dbx.Tx, inc tickets.Incident) ([]uuid.UUID, error) {
	if inc.Tier != string(sla.Platinum) {
		return nil, nil // only a platinum account's TSAM hears of every incident: nothing to read
	}
	lk, err := l.lookup(ctx, dtx, []tickets.Incident{inc})
	if err != nil {
		return nil, err
	}
	_, tsam := lk.tsam(inc)
	if len(tsam) == 0 {
		return nil, nil
	}
	id := inc.ID
	return l.outbox.Notify(ctx, dtx, Note{Kind: KindIncidentOpened, IncidentID: &id, Recipients: tsam,
		Subject:  fmt.Sprintf("[%s] new severity %d incident: %s", inc.Reference, inc.Severity, inc.Title),
		Body:     fmt.Sprintf("%s opened %s (%s, severity %d, %s).", inc.Channel, inc.Reference, inc.Product, inc.Severity, inc.Tier),
		Data:     map[string]any{"reference": inc.Reference, "severity": inc.Severity, "tier": inc.Tier},
		DedupKey: "opened:" + inc.ID.String()})
}

// Escalated records one escalation row per recipient of each level reached and tells them (and
// the TSAM).
func (l *Ladder) Escalated(ctx context.Context, dtx dbx.Tx, escs []tickets.Escalation) ([]uuid.UUID, error) {
	now := dtx.Now()
	incs := make([]tickets.Incident, len(escs))
	for i, e := range escs {
		incs[i] = e.Incident
	}
	lk, err := l.lookup(ctx, dtx, incs)
	if err != nil {
		return nil, err
	}
	var rows []escalationRow
	notes := make([]Note, 0, len(escs))
	for _, e := range escs {
		inc, level := e.Incident, e.Level
		org, tsam := lk.tsam(inc)
		role := accounts.SupportManager
		if level >= 2 {
			role = accounts.Executive
		}
		recipients, err := lk.staffOf(ctx, org.Office, role)
		if err != nil {
			return nil, err
		}
		for _, r := range recipients {
			rows = append(rows, escalationRow{ID: uuid.Must(uuid.NewV7()), IncidentID: inc.ID, Level: level, RecipientID: r, Reason: e.Reason, CreatedAt: now})
		}
		id := inc.ID
		who := map[int]string{1: "support manager", 2: "executive"}[level]
		notes = append(notes, Note{Kind: KindEscalation, IncidentID: &id, Recipients: uniqueIDs(append(append([]uuid.UUID{}, recipients...), tsam...)),
			Subject: fmt.Sprintf("[%s] escalated to %s (level %d)", inc.Reference, who, level),
			Body: fmt.Sprintf("%s — %s, %s tier, severity %d — reached escalation level %d (%s) at %s.",
				inc.Reference, inc.Title, inc.Tier, inc.Severity, level, e.Reason, now.UTC().Format(time.RFC3339)),
			Data:     map[string]any{"reference": inc.Reference, "level": level, "reason": e.Reason, "organization_id": inc.OrganizationID},
			DedupKey: fmt.Sprintf("escalation:%s:%d", inc.ID, level)})
	}
	if err := insertEscalations(ctx, dtx, rows); err != nil {
		return nil, err
	}
	return l.outbox.Notify(ctx, dtx, notes...)
}

// Breached tells the assignee and their managers (the customer's office's when unassigned) that a
// response or update target passed unmet.
func (l *Ladder) Breached(ctx context.Context, dtx dbx.Tx, breaches []tickets.Breach) ([]uuid.UUID, error) {
	incs := make([]tickets.Incident, len(breaches))
	for i, b := range breaches {
		incs[i] = b.Incident
	}
	lk, err := l.lookup(ctx, dtx, incs)
	if err != nil {
		return nil, err
	}
	if err := lk.readAssignees(ctx, incs); err != nil {
		return nil, err // their office decides whose managers hear of it
	}
	notes := make([]Note, 0, len(breaches))
	for _, b := range breaches {
		inc := b.Incident
		org, tsam := lk.tsam(inc)
		office := org.Office
		var recipients []uuid.UUID
		if inc.AssigneeID != nil {
			recipients = append(recipients, *inc.AssigneeID)
			if o := lk.user(*inc.AssigneeID).Office; o != "" {
				office = o
			}
		}
		managers, err := lk.staffOf(ctx, office, accounts.SupportManager)
		if err != nil {
			return nil, err
		}
		id := inc.ID
		notes = append(notes, Note{Kind: KindBreach, IncidentID: &id, Recipients: uniqueIDs(append(append(recipients, managers...), tsam...)),
			Subject:  fmt.Sprintf("[%s] %s missed", inc.Reference, b.Target),
			Body:     fmt.Sprintf("%s (%s tier, severity %d): %s was due at %s and was not met.", inc.Reference, inc.Tier, inc.Severity, b.Target, b.DueAt.UTC().Format(time.RFC3339)),
			Data:     map[string]any{"reference": inc.Reference, "target": b.Target, "due_at": b.DueAt},
			DedupKey: fmt.Sprintf("breach:%s:%s:%d", inc.ID, b.Target, b.DueAt.UnixMicro())})
	}
	return l.outbox.Notify(ctx, dtx, notes...)
}

// Confirmed tells the incident's assignee, in their inbox (and by e-mail when it is on), that
// the customer confirmed the resolution; an unassigned incident tells no one.
func (l *Ladder) Confirmed(ctx context.Context, tx dbx.Tx, inc tickets.Incident, message string) ([]uuid.UUID, error) {
	now := tx.Now()
	if inc.AssigneeID == nil {
		return nil, nil
	}
	id := inc.ID
	body := fmt.Sprintf("The customer confirmed the resolution of %s; it stays resolved.", inc.Reference)
	if message != "" {
		body += "\n\n" + message
	}
	return l.outbox.Notify(ctx, tx, Note{Kind: KindResolutionConfirmed, IncidentID: &id, Recipients: []uuid.UUID{*inc.AssigneeID},
		Subject:  fmt.Sprintf("[%s] resolution confirmed: %s", inc.Reference, inc.Title),
		Body:     body,
		Data:     map[string]any{"reference": inc.Reference},
		DedupKey: "confirmed:" + inc.ID.String() + ":" + now.UTC().Format(time.RFC3339Nano)})
}

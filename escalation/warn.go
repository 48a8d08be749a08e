package escalation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// Warned tells the people who can still prevent each breach that a warning point was reached
// ("first response due in 15 min"): the assignee; while unassigned, the engineers who may claim
// the incident (of the customer's office, or every office's when it has none) — for premium and
// platinum only the senior ones while the incident is still offered to seniors first
// (tickets.SeniorFirst), seniors listed first after that. A warning of an escalation target goes
// ahead to the level's recipients (support managers, executives). Each warning is keyed by
// incident, target, point and instant, so it is told once per plan however often it is decided.
func (l *Ladder) Warned(ctx context.Context, dtx dbx.Tx, warnings []tickets.Warning) ([]uuid.UUID, error) {
	now := dtx.Now()
	incs := make([]tickets.Incident, len(warnings))
	for i, w := range warnings {
		incs[i] = w.Incident
	}
	lk, err := l.lookup(ctx, dtx, incs)
	if err != nil {
		return nil, err
	}
	notes := make([]Note, 0, len(warnings))
	for _, w := range warnings {
		inc := w.Incident
		recipients, err := lk.warned(ctx, w, now)
		if err != nil {
			return nil, err
		}
		if len(recipients) == 0 {
			continue
		}
		id := inc.ID
		in := DueIn(w.DueAt.Sub(now))
		what := strings.ReplaceAll(string(w.Target), "_", " ")
		if lvl := w.Target.Level(); lvl > 0 {
			what = fmt.Sprintf("escalation to %s (level %d)", map[int]string{1: "support manager", 2: "executive"}[lvl], lvl)
		}
		notes = append(notes, Note{Kind: KindSLAWarning, IncidentID: &id, Recipients: recipients,
			Subject: fmt.Sprintf("[%s] %s due in %s", inc.Reference, what, in),
			Body: fmt.Sprintf("%s — %s, %s tier, severity %d: %s due in %s (at %s; %d %% of the target used).",
				inc.Reference, inc.Title, inc.Tier, inc.Severity, what, in, w.DueAt.UTC().Format(time.RFC3339), w.Point/10),
			Data: map[string]any{"reference": inc.Reference, "target": w.Target, "point": float64(w.Point) / 1000,
				"due_at": w.DueAt, "organization_id": inc.OrganizationID},
			DedupKey: fmt.Sprintf("warning:%s:%s:%d:%d", inc.ID, w.Target, w.Point, w.At.UnixMicro())})
	}
	return l.outbox.Notify(ctx, dtx, notes...)
}

// warned returns who hears a warning (see Warned).
func (lk *lookup) warned(ctx context.Context, w tickets.Warning, now time.Time) ([]uuid.UUID, error) {
	inc := w.Incident
	org := lk.orgs[inc.OrganizationID]
	switch lvl := w.Target.Level(); {
	case lvl == 1:
		return lk.staffOf(ctx, org.Office, accounts.SupportManager)
	case lvl >= 2:
		return lk.staffOf(ctx, org.Office, accounts.Executive)
	case inc.AssigneeID != nil:
		return []uuid.UUID{*inc.AssigneeID}, nil
	}
	engineers, err := lk.staffOf(ctx, org.Office, accounts.Engineer)
	if err != nil {
		return nil, err
	}
	if inc.Tier != string(sla.Premium) && inc.Tier != string(sla.Platinum) {
		return engineers, nil
	}
	var seniors, others []uuid.UUID
	for _, id := range engineers {
		if lk.user(id).Senior {
			seniors = append(seniors, id)
		} else {
			others = append(others, id)
		}
	}
	if len(seniors) > 0 && now.Sub(inc.AcceptedAt) < tickets.SeniorFirst {
		return seniors, nil
	}
	return append(seniors, others...), nil
}

// DueIn says how long until a deadline the way a person would: "15 min", "1 h 30 min", "40 s".
func DueIn(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

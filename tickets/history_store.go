package tickets

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
)

// HistoryFilter selects incidents by the instant they were accepted, [From, To), and optionally
// by tier, current severity, organisation and product.
type HistoryFilter struct {
	From, To       time.Time
	Tier           string
	Severity       int
	OrganizationID *uuid.UUID
	Product        string
}

// History is an incident as recorded, ready to be planned again: Input holds its acceptance,
// tier, severity at acceptance and the events that move deadlines, in timeline order.
type History struct {
	ID            uuid.UUID
	Reference     string
	Tier          string
	Severity      int // the current severity
	PolicyVersion int
	Input         sla.Incident
}

// planningKinds are the timeline entries the planner reads (PlanInput), plus "opened" for the
// severity at acceptance.
const planningKinds = `'opened','acknowledged','public_update','wait_started','wait_ended','severity_changed',` +
	`'escalated','remediation_agreed','scope_changed','resolved','reopened'`

// CountHistories returns how many incidents f selects.
func (s *Store) CountHistories(ctx context.Context, f HistoryFilter) (int, error) {
	where, args := f.where()
	var n int
	err := s.db.WithContext(ctx).Raw("SELECT count(*) FROM incidents i WHERE "+where, args...).Scan(&n).Error
	return n, translate(err, "incidents")
}

// EachHistory streams the incidents f selects, with their events, to fn, in one query read by a
// cursor: nothing is loaded beyond the incident at hand, so it runs over millions of incidents in
// constant memory. Only the columns planning needs travel. When byHandOnly is set, escalations
// the engine's own timers recorded (reason "deadline", and "higher_level" for the levels below
// one reached) are left out, so a replay under another policy plans them itself; customer
// requests and other escalations by hand stay. fn must not keep h.Input.Events: the slice is
// reused for the next incident. An error from fn stops the stream and is returned.
func (s *Store) EachHistory(ctx context.Context, f HistoryFilter, byHandOnly bool, fn func(h *History) error) error {
	where, args := f.where()
	evCond := "e.kind IN (" + planningKinds + ")"
	if byHandOnly {
		evCond += " AND NOT (e.kind = 'escalated' AND coalesce(e.data->>'reason', '') IN ('deadline', 'higher_level'))"
	}
	// Merge-joinable on (incident id) order: the primary key and incident_events_incident_idx.
	q := `SELECT i.id, i.reference, i.tier, i.severity, i.policy_version, i.accepted_at,
			e.kind, e.at, (e.data->>'severity')::int, (e.data->>'level')::int, e.data->>'due_at', e.data->>'scope'
		FROM incidents i LEFT JOIN incident_events e ON e.incident_id = i.id AND ` + evCond + `
		WHERE ` + where + ` ORDER BY i.id, e.id`
	rows, err := s.db.WithContext(ctx).Raw(q, args...).Rows()
	if err != nil {
		return translate(err, "incidents")
	}
	defer rows.Close()
	var (
		cur     History
		have    bool
		events  []sla.Event
		id      uuid.UUID
		ref     string
		tier    string
		sev, pv int
		acc     time.Time
		kind    sql.NullString
		at      sql.NullTime
		esev    sql.NullInt32
		lvl     sql.NullInt32
		due     sql.NullString
		scope   sql.NullString
	)
	flush := func() error {
		if !have {
			return nil
		}
		cur.Input.Events = events
		return fn(&cur)
	}
	for rows.Next() {
		if err := rows.Scan(&id, &ref, &tier, &sev, &pv, &acc, &kind, &at, &esev, &lvl, &due, &scope); err != nil {
			return translate(err, "incidents")
		}
		if !have || id != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			have = true
			events = events[:0]
			cur = History{ID: id, Reference: ref, Tier: tier, Severity: sev, PolicyVersion: pv,
				Input: sla.Incident{Tier: sla.Tier(tier), Severity: sev, AcceptedAt: acc.UTC()}}
		}
		if !kind.Valid {
			continue
		}
		if kind.String == "opened" {
			if esev.Valid {
				cur.Input.Severity = int(esev.Int32)
			}
			continue
		}
		ev := sla.Event{Kind: sla.EventKind(kind.String), At: at.Time.UTC(), Severity: int(esev.Int32), Level: int(lvl.Int32), Scope: sla.Scope(scope.String)}
		if due.Valid {
			ev.DueAt, _ = time.Parse(time.RFC3339Nano, due.String)
		}
		events = append(events, ev)
	}
	if err := rows.Err(); err != nil {
		return translate(err, "incidents")
	}
	return flush()
}

func (f HistoryFilter) where() (string, []any) {
	conds := []string{"i.accepted_at >= ?", "i.accepted_at < ?"}
	args := []any{f.From, f.To}
	if f.Tier != "" {
		conds, args = append(conds, "i.tier = ?"), append(args, f.Tier)
	}
	if f.Severity != 0 {
		conds, args = append(conds, "i.severity = ?"), append(args, f.Severity)
	}
	if f.OrganizationID != nil {
		conds, args = append(conds, "i.organization_id = ?"), append(args, *f.OrganizationID)
	}
	if f.Product != "" {
		conds, args = append(conds, "lower(i.product) = lower(?)"), append(args, strings.TrimSpace(f.Product))
	}
	return strings.Join(conds, " AND "), args
}

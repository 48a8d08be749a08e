package tickets

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
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

// EachHistory streams the incidents f selects, with their events, to fn, in incident id order,
// in one query read by a cursor: nothing is loaded beyond the incident at hand, so it runs over
// millions of incidents in constant memory. Only the columns planning needs travel, and the
// events come in the order of incident_events_incident_idx, so PostgreSQL merges it with the
// incidents' primary key without sorting (incident_events_planning_idx holds only the planning
// entries, so the timeline's notes, replies and plan records are never visited); rows are read with pgx directly (database/sql's
// conversions cost more than the planning). Every incident has its "opened" entry (intake writes
// it with the incident); one without any planning entry is not streamed.
//
// When byHandOnly is set, escalations the engine's own timers recorded (reason "deadline", and
// "higher_level" for the levels below one reached) are left out, so a replay under another
// policy plans them itself; customer requests and other escalations by hand stay. fn must not
// keep h.Input.Events: the slice is reused for the next incident. An error from fn stops the
// stream and is returned.
func (s *Store) EachHistory(ctx context.Context, f HistoryFilter, byHandOnly bool, fn func(h *History) error) error {
	where, args := f.where()
	// pgx takes $n placeholders.
	for n := 1; strings.Contains(where, "?"); n++ {
		where = strings.Replace(where, "?", "$"+strconv.Itoa(n), 1)
	}
	evCond := "e.kind IN (" + planningKinds + ")"
	if byHandOnly {
		evCond += " AND (e.kind <> 'escalated' OR coalesce(e.data->>'reason', '') NOT IN ('deadline', 'higher_level'))"
	}
	// data is read only for the kinds that carry a planning value: the others hold messages and
	// bodies (up to 64 KiB, perhaps TOASTed) that planning never needs.
	q := `SELECT i.id, i.reference, i.tier, i.severity, i.policy_version, i.accepted_at, e.kind, e.at,
			CASE WHEN e.kind IN ('opened', 'severity_changed') THEN (e.data->>'severity')::int END,
			CASE WHEN e.kind = 'escalated' THEN (e.data->>'level')::int END,
			CASE WHEN e.kind = 'remediation_agreed' THEN e.data->>'due_at' END,
			CASE WHEN e.kind = 'scope_changed' THEN e.data->>'scope' END
		FROM incidents i JOIN incident_events e ON e.incident_id = i.id AND ` + evCond + `
		WHERE ` + where + ` ORDER BY e.incident_id, e.id`
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return translate(err, "incidents")
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("tickets: EachHistory needs the pgx driver, not %T", dc)
		}
		rows, err := sc.Conn().Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return scanHistories(rows, fn)
	})
	return translate(err, "incidents")
}

// scanHistories groups the rows of EachHistory's query into histories.
func scanHistories(rows pgx.Rows, fn func(h *History) error) error {
	var (
		cur    History
		have   bool
		events []sla.Event
		id     [16]byte
		ref    string
		tier   string
		sev    int32
		pv     int32
		acc    time.Time
		kind   string
		at     time.Time
		esev   pgtype.Int4
		lvl    pgtype.Int4
		due    pgtype.Text
		scope  pgtype.Text
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
			return err
		}
		if !have || uuid.UUID(id) != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			have = true
			events = events[:0]
			cur = History{ID: uuid.UUID(id), Reference: ref, Tier: tier, Severity: int(sev), PolicyVersion: int(pv),
				Input: sla.Incident{Tier: sla.Tier(tier), Severity: int(sev), AcceptedAt: acc.UTC()}}
		}
		if kind == "opened" {
			if esev.Valid {
				cur.Input.Severity = int(esev.Int32)
			}
			continue
		}
		ev := sla.Event{Kind: sla.EventKind(kind), At: at.UTC(), Severity: int(esev.Int32), Level: int(lvl.Int32), Scope: sla.Scope(scope.String)}
		if due.Valid {
			ev.DueAt, _ = time.Parse(time.RFC3339Nano, due.String)
		}
		events = append(events, ev)
	}
	if err := rows.Err(); err != nil {
		return err
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

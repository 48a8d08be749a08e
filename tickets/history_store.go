package tickets

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
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

// The timeline entries the planner reads (PlanInput), as the two indexes of migration 00026
// split them: valuedKinds carry a value in data ("opened" the severity at acceptance), and
// timingKinds matter by kind and time alone.
const (
	valuedKinds = `'opened', 'severity_changed', 'escalated', 'remediation_agreed', 'scope_changed'`
	timingKinds = `'acknowledged', 'public_update', 'wait_started', 'wait_ended', 'resolved', 'reopened'`
)

// CountHistories returns how many incidents f selects.
func (s *Store) CountHistories(ctx context.Context, f HistoryFilter) (int, error) {
	where, args := f.where()
	var n int
	err := s.db.WithContext(ctx).Raw("SELECT count(*) FROM incidents i WHERE "+where, args...).Scan(&n).Error
	return n, translate(err, "incidents")
}

// EachHistory streams the incidents f selects, with their planning events, to fn, in incident id
// order, in constant memory: nothing is loaded beyond the incident at hand, so it runs over
// millions of incidents. Two queries stream side by side on two connections, each merged by
// PostgreSQL with the incidents' primary key in (incident, id) order without sorting, and are
// merged here by incident: the entries with a value in data (opened, severity changes,
// escalations, remediation, scope) from incident_events_valued_idx, reading data only for them,
// and the far more numerous ones that matter by kind and time alone from
// incident_events_timing_idx, an index-only scan. Notes, replies, assignments and sla_planned
// records, with their bodies and explanations, are never visited. Rows are read with pgx
// directly (database/sql's conversions cost more than the planning). Every incident has its
// "opened" entry (intake writes it with the incident); one without it is not streamed.
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
	valued := "e.kind IN (" + valuedKinds + ")"
	if byHandOnly {
		valued += " AND (e.kind <> 'escalated' OR coalesce(e.data->>'reason', '') NOT IN ('deadline', 'higher_level'))"
	}
	qValued := `SELECT i.id, i.reference, i.tier, i.severity, i.policy_version, i.accepted_at, e.id, e.kind, e.at,
			CASE WHEN e.kind IN ('opened', 'severity_changed') THEN (e.data->>'severity')::int END,
			CASE WHEN e.kind = 'escalated' THEN (e.data->>'level')::int END,
			CASE WHEN e.kind = 'remediation_agreed' THEN e.data->>'due_at' END,
			CASE WHEN e.kind = 'scope_changed' THEN e.data->>'scope' END
		FROM incidents i JOIN incident_events e ON e.incident_id = i.id AND ` + valued + `
		WHERE ` + where + ` ORDER BY e.incident_id, e.id`
	qTiming := `SELECT e.incident_id, e.id, e.kind, e.at
		FROM incidents i JOIN incident_events e ON e.incident_id = i.id AND e.kind IN (` + timingKinds + `)
		WHERE ` + where + ` ORDER BY e.incident_id, e.id`
	return s.withReplayConn(ctx, func(a *pgx.Conn) error {
		return s.withReplayConn(ctx, func(b *pgx.Conn) error {
			va, err := a.Query(ctx, qValued, args...)
			if err != nil {
				return err
			}
			defer va.Close()
			tb, err := b.Query(ctx, qTiming, args...)
			if err != nil {
				return err
			}
			defer tb.Close()
			return mergeHistories(va, tb, fn)
		})
	})
}

// timingRow is one row of the timing stream, read one ahead.
type timingRow struct {
	inc  [16]byte
	id   int64
	kind string
	at   time.Time
	ok   bool
}

// mergeHistories groups the valued stream into histories and adds each incident's timing rows;
// both are in (incident, id) order. Events end in timeline (id) order.
func mergeHistories(valued, timing pgx.Rows, fn func(h *History) error) error {
	var (
		cur    History
		have   bool
		events []sla.Event
		seq    []int64
		id     [16]byte
		ref    string
		tier   string
		sev    int32
		pv     int32
		acc    time.Time
		eid    int64
		kind   string
		at     time.Time
		esev   pgtype.Int4
		lvl    pgtype.Int4
		due    pgtype.Text
		scope  pgtype.Text
		t      timingRow
	)
	next := func() error {
		t.ok = timing.Next()
		if !t.ok {
			return timing.Err()
		}
		return timing.Scan(&t.inc, &t.id, &t.kind, &t.at)
	}
	if err := next(); err != nil {
		return err
	}
	flush := func() error {
		if !have {
			return nil
		}
		// The timing rows of this incident; those of incidents without their opened entry are
		// passed over.
		for t.ok && bytes.Compare(t.inc[:], cur.ID[:]) <= 0 {
			if t.inc == cur.ID {
				events, seq = append(events, sla.Event{Kind: sla.EventKind(t.kind), At: t.at.UTC()}), append(seq, t.id)
			}
			if err := next(); err != nil {
				return err
			}
		}
		for i := 1; i < len(events); i++ {
			for j := i; j > 0 && seq[j] < seq[j-1]; j-- {
				events[j], events[j-1], seq[j], seq[j-1] = events[j-1], events[j], seq[j-1], seq[j]
			}
		}
		cur.Input.Events = events
		return fn(&cur)
	}
	for valued.Next() {
		if err := valued.Scan(&id, &ref, &tier, &sev, &pv, &acc, &eid, &kind, &at, &esev, &lvl, &due, &scope); err != nil {
			return err
		}
		if !have || uuid.UUID(id) != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			have = true
			events, seq = events[:0], seq[:0]
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
		events, seq = append(events, ev), append(seq, eid)
	}
	if err := valued.Err(); err != nil {
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

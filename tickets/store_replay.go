package tickets

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/supportd/supportd/sla"
)

// StreamHistories streams the incidents f selects, with their planning events, to fn, in
// incident id order, in constant memory: nothing is loaded beyond the incident at hand, so it
// runs over millions of incidents. Two queries stream side by side on two connections, each
// merged by PostgreSQL with the incidents' primary key in (incident, id) order without sorting,
// and are merged here by incident: the entries with a value in data (opened, severity changes,
// escalations, remediation, scope) from incident_events_valued_idx, reading data only for them,
// and the far more numerous ones that matter by kind and time alone from
// incident_events_timing_idx, an index-only scan. Notes, replies, assignments and sla_planned
// records, with their bodies and explanations, are never visited. Every incident has its
// "opened" entry (intake writes it with the incident); one without it is not streamed unless
// another valued entry stands in for it.
// Escalations carry no Cause: a replay plans under another policy, where the planner judges it.
//
// When byHandOnly is set, escalations the engine's own timers recorded (reason "deadline", and
// "higher_level" for the levels below one reached) are left out, so a replay under another
// policy plans them itself; customer requests and other escalations by hand stay. fn must not
// keep h.Input.Events: the slice is reused for the next incident. An error from fn stops the
// stream and is returned.
//
// What makes it cheap:
//
//   - the session plans without parallel workers (and without JIT): the valued entries then
//     stream by a merge join in index order, where PostgreSQL would otherwise hash-join them in
//     parallel and sort the result, spilling to disk, before the first row;
//   - rows are read with pgx and decoded from their binary form by hand (no Scan per row, no
//     database/sql conversions, which cost more than the planning), kinds and tiers map to
//     their constants, and the only string made per incident is its reference.
func (s *Store) StreamHistories(ctx context.Context, f HistoryFilter, byHandOnly bool, fn func(h *History) error) error {
	where, args := f.where()
	valued := "e.kind IN (" + valuedKinds + ")"
	if byHandOnly {
		valued += " AND (e.kind <> 'escalated' OR coalesce(e.data->>'reason', '') NOT IN ('deadline', 'higher_level'))"
	}
	qValued := `SELECT i.id, i.reference, i.tier, i.severity::int4, i.policy_version::int4, i.accepted_at, e.id, e.kind, e.at,
			CASE WHEN e.kind IN ('opened', 'severity_changed') THEN (e.data->>'severity')::int4 END,
			CASE WHEN e.kind = 'escalated' THEN (e.data->>'level')::int4 END,
			CASE WHEN e.kind = 'remediation_agreed' THEN e.data->>'due_at' END,
			CASE WHEN e.kind = 'scope_changed' THEN e.data->>'scope' END
		FROM incidents i JOIN incident_events e ON e.incident_id = i.id AND ` + valued + `
		WHERE ` + where + ` ORDER BY e.incident_id, e.id`
	qTiming := `SELECT e.incident_id, e.id, e.kind, e.at
		FROM incidents i JOIN incident_events e ON e.incident_id = i.id AND e.kind IN (` + timingKinds + `)
		WHERE ` + where + ` ORDER BY e.incident_id, e.id`
	binaryArgs := func(n int) []any {
		formats := make(pgx.QueryResultFormats, n)
		for i := range formats {
			formats[i] = pgx.BinaryFormatCode
		}
		return append([]any{formats}, args...)
	}
	return s.withReplayConn(ctx, func(a *pgx.Conn) error {
		return s.withReplayConn(ctx, func(b *pgx.Conn) error {
			va, err := a.Query(ctx, qValued, binaryArgs(13)...)
			if err != nil {
				return err
			}
			defer va.Close()
			tb, err := b.Query(ctx, qTiming, binaryArgs(4)...)
			if err != nil {
				return err
			}
			defer tb.Close()
			return mergeRawHistories(va, tb, fn)
		})
	})
}

// CountStreamHistories counts the incidents f selects, as a replay's total (StreamHistories
// leaves out the rare one without its opened entry): without parallel workers, and from incidents_accepted_idx alone where the filter is
// the period only, where PostgreSQL would otherwise count a million incidents with three
// processes scanning the table, a second of CPU.
func (s *Store) CountStreamHistories(ctx context.Context, f HistoryFilter) (int, error) {
	where, args := f.where()
	var n int64
	err := s.withReplayConn(ctx, func(c *pgx.Conn) error {
		if _, err := c.Exec(ctx, "SET enable_seqscan = off"); err != nil {
			return err
		}
		defer func() { _, _ = c.Exec(context.WithoutCancel(ctx), "RESET enable_seqscan") }()
		return c.QueryRow(ctx, "SELECT count(*) FROM incidents i WHERE "+where, args...).Scan(&n)
	})
	return int(n), err
}

// withReplayConn runs fn on a pooled connection's pgx connection, planning without JIT or
// parallel workers (see StreamHistories), and restores both settings afterwards.
func (s *Store) withReplayConn(ctx context.Context, fn func(*pgx.Conn) error) error {
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
			return fmt.Errorf("tickets: the history streams need the pgx driver, not %T", dc)
		}
		c := sc.Conn()
		if _, err := c.Exec(ctx, "SET jit = off; SET max_parallel_workers_per_gather = 0"); err != nil {
			return err
		}
		defer func() {
			_, _ = c.Exec(context.WithoutCancel(ctx), "RESET jit; RESET max_parallel_workers_per_gather")
		}()
		return fn(c)
	})
	return translate(err, "incidents")
}

// The PostgreSQL types the streams' columns decode from.
const (
	oidInt8        = 20
	oidInt4        = 23
	oidText        = 25
	oidTimestamptz = 1184
	oidUUID        = 2950
)

// checkColumns verifies that rows come in binary with the types the decoder reads.
func checkColumns(rows pgx.Rows, oids ...uint32) error {
	fds := rows.FieldDescriptions()
	if len(fds) != len(oids) {
		return fmt.Errorf("tickets: history stream has %d columns, not %d", len(fds), len(oids))
	}
	for i, fd := range fds {
		if fd.DataTypeOID != oids[i] || fd.Format != pgx.BinaryFormatCode {
			return fmt.Errorf("tickets: history stream column %s: type %d format %d, not %d in binary", fd.Name, fd.DataTypeOID, fd.Format, oids[i])
		}
	}
	return nil
}

// rawDecoder reads binary column values; the first error sticks.
type rawDecoder struct{ err error }

func (d *rawDecoder) fail(what string, n int) {
	if d.err == nil {
		d.err = fmt.Errorf("tickets: history stream: %s of %d bytes", what, n)
	}
}

func (d *rawDecoder) uuid(b []byte) (id [16]byte) {
	if len(b) != 16 {
		d.fail("uuid", len(b))
		return id
	}
	return [16]byte(b)
}

func (d *rawDecoder) int8(b []byte) int64 {
	if len(b) != 8 {
		d.fail("bigint", len(b))
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// int4 reads an integer; NULL (nil) is 0 and not valid.
func (d *rawDecoder) int4(b []byte) (int, bool) {
	if b == nil {
		return 0, false
	}
	if len(b) != 4 {
		d.fail("integer", len(b))
		return 0, false
	}
	return int(int32(binary.BigEndian.Uint32(b))), true
}

// pgEpochMicros is 2000-01-01 00:00:00 UTC, PostgreSQL's timestamp origin, in Unix microseconds.
const pgEpochMicros = 946684800 * 1000000

func (d *rawDecoder) time(b []byte) time.Time {
	if len(b) != 8 {
		d.fail("timestamptz", len(b))
		return time.Time{}
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		d.fail("infinite timestamptz", len(b))
		return time.Time{}
	}
	return time.UnixMicro(us + pgEpochMicros).UTC()
}

// eventKind is the planner's constant for a kind, without a string made per row.
func eventKind(b []byte) sla.EventKind {
	switch string(b) {
	case "acknowledged":
		return sla.Acknowledged
	case "public_update":
		return sla.PublicUpdate
	case "wait_started":
		return sla.WaitStarted
	case "wait_ended":
		return sla.WaitEnded
	case "resolved":
		return sla.Resolved
	case "reopened":
		return sla.Reopened
	case "severity_changed":
		return sla.SeverityChanged
	case "escalated":
		return sla.Escalated
	case "remediation_agreed":
		return sla.RemediationAgreed
	case "scope_changed":
		return sla.ScopeChanged
	case "opened":
		return "opened"
	}
	return sla.EventKind(b)
}

func tierName(b []byte) string {
	switch string(b) {
	case "standard":
		return "standard"
	case "premium":
		return "premium"
	case "platinum":
		return "platinum"
	}
	return string(b)
}

func scopeName(b []byte) sla.Scope {
	switch string(b) {
	case "":
		return ""
	case string(sla.ScopeProduct):
		return sla.ScopeProduct
	case string(sla.ScopeEnvironment):
		return sla.ScopeEnvironment
	case string(sla.ScopeUnsupported):
		return sla.ScopeUnsupported
	}
	return sla.Scope(b)
}

// mergeRawHistories groups the valued stream (binary rows) into histories and adds each
// incident's timing rows; both are in (incident, id) order. Events end in timeline (id) order.
func mergeRawHistories(valued, timing pgx.Rows, fn func(h *History) error) error {
	var (
		d      rawDecoder
		cur    History
		have   bool
		events []sla.Event
		seq    []int64
		t      timingRow
	)
	checked := false
	next := func() error {
		t.ok = timing.Next()
		if !t.ok {
			return timing.Err()
		}
		if !checked {
			if err := checkColumns(timing, oidUUID, oidInt8, oidText, oidTimestamptz); err != nil {
				return err
			}
			checked = true
		}
		v := timing.RawValues()
		t.inc, t.id, t.at = d.uuid(v[0]), d.int8(v[1]), d.time(v[3])
		t.kind = string(eventKind(v[2]))
		return d.err
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
				events, seq = append(events, sla.Event{Kind: sla.EventKind(t.kind), At: t.at}), append(seq, t.id)
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
	for first := true; valued.Next(); first = false {
		if first {
			if err := checkColumns(valued, oidUUID, oidText, oidText, oidInt4, oidInt4, oidTimestamptz, oidInt8, oidText, oidTimestamptz,
				oidInt4, oidInt4, oidText, oidText); err != nil {
				return err
			}
		}
		v := valued.RawValues()
		id := d.uuid(v[0])
		if !have || uuid.UUID(id) != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			have = true
			events, seq = events[:0], seq[:0]
			tier := tierName(v[2])
			sev, _ := d.int4(v[3])
			pv, _ := d.int4(v[4])
			cur = History{ID: uuid.UUID(id), Reference: string(v[1]), Tier: tier, Severity: sev, PolicyVersion: pv,
				Input: sla.Incident{Tier: sla.Tier(tier), Severity: sev, AcceptedAt: d.time(v[5])}}
		}
		kind := eventKind(v[7])
		esev, sevOK := d.int4(v[9])
		if d.err != nil {
			return d.err
		}
		if kind == "opened" {
			if sevOK {
				cur.Input.Severity = esev
			}
			continue
		}
		lvl, _ := d.int4(v[10])
		ev := sla.Event{Kind: kind, At: d.time(v[8]), Severity: esev, Level: lvl, Scope: scopeName(v[12])}
		if v[11] != nil {
			ev.DueAt, _ = time.Parse(time.RFC3339Nano, string(v[11]))
		}
		if d.err != nil {
			return d.err
		}
		events, seq = append(events, ev), append(seq, d.int8(v[6]))
	}
	if err := valued.Err(); err != nil {
		return err
	}
	return flush()
}

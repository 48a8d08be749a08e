package tickets

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
)

// priorityTiers is the SQL for the priority queue (SPEC §2: premium and platinum).
const priorityTiers = "i.tier IN ('premium', 'platinum')"

// queueOrder is the urgency order. next_due_at, the incident's pending timer due first, is kept
// on the incident by whoever writes its timers (nextDeadline; migrations 00006, 00010), so that
// this is the order of the
// indexes incidents_queue_idx and incidents_claim_idx: a claim reads the first unlocked entry
// instead of sorting every unassigned incident.
const queueOrder = "CASE WHEN " + priorityTiers + " THEN 0 ELSE 1 END, i.severity, i.next_due_at, i.accepted_at, i.id"

type queueRow struct {
	Incident   incidentRow `gorm:"embedded"`
	NextDueAt  *time.Time
	NextTarget *string
}

func (r queueRow) toItem() QueueItem {
	it := QueueItem{Incident: r.Incident.toIncident(), NextDueAt: utcPtr(r.NextDueAt)}
	if r.NextTarget != nil {
		t := sla.Target(*r.NextTarget)
		it.NextTarget = &t
	}
	return it
}

// queueWhere returns the conditions and arguments of a queue filter (open incidents only).
func queueWhere(me uuid.UUID, f QueueFilter) (string, []any) {
	conds, args := []string{"i.status <> 'resolved'"}, []any{}
	if f.Mine {
		conds, args = append(conds, "i.assignee_id = ?"), append(args, me)
	}
	if f.Unassigned {
		conds = append(conds, "i.assignee_id IS NULL")
	}
	if f.Tier != "" {
		conds, args = append(conds, "i.tier = ?"), append(args, f.Tier)
	}
	if f.Severity != 0 {
		conds, args = append(conds, "i.severity = ?"), append(args, f.Severity)
	}
	if f.Product != "" {
		conds, args = append(conds, "i.product = ?"), append(args, f.Product)
	}
	if f.Office != "" {
		// Accounts owns organisations and answers through office_organizations (migration
		// 00039) inside this statement, so a claim stays one round trip.
		conds, args = append(conds, "i.organization_id IN (SELECT office_organizations(?))"), append(args, f.Office)
	}
	if !f.dueBefore.IsZero() {
		conds, args = append(conds, "i.next_due_at <= ?"), append(args, f.dueBefore)
	}
	return strings.Join(conds, " AND "), args
}

// findQueue reads one page of the queue with each incident's nearest deadline, in one query.
func (s *Store) findQueue(ctx context.Context, me uuid.UUID, f QueueFilter) ([]QueueItem, error) {
	where, args := queueWhere(me, f)
	var rows []queueRow
	q := "SELECT i.* FROM incidents i WHERE " + where + " ORDER BY " + queueOrder + " LIMIT ?"
	if err := s.db.WithContext(ctx).Raw(q, append(args, f.Limit)...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "queue")
	}
	out := make([]QueueItem, len(rows))
	for i, r := range rows {
		out[i] = r.toItem()
	}
	return out, nil
}

// claim assigns me the most urgent claimable incident, appends its "assigned" event and returns
// the incident with its timeline before the claim, in one statement: one round trip and one
// implicit transaction, so a claim is all-or-nothing. The subquery locks the first unlocked row
// in queue order (index incidents_claim_idx), skipping rows other claims hold; re-checked under
// the lock, a row another claim assigned meanwhile no longer matches. NO KEY UPDATE: a claim
// changes no key, so it neither waits for nor blocks the key-share locks that adding a timeline
// event or a timer takes on the incident. The claim event keeps since_accepted as microseconds
// (since_accepted_us): the statement cannot run Go, and the event is read with
// time.Duration.String's text as Assign writes it (see sinceAccepted). With seniorSince set, only priority
// incidents accepted before it are claimable. It returns errQueueEmpty when nothing is.
func (s *Store) claim(ctx context.Context, me uuid.UUID, f QueueFilter, seniorSince *time.Time, now time.Time) (Incident, []Event, error) {
	where, args := queueWhere(me, f)
	if seniorSince != nil {
		where += " AND (NOT " + priorityTiers + " OR i.accepted_at < ?)"
		args = append(args, *seniorSince)
	}
	q := `WITH c AS (
		UPDATE incidents SET assignee_id = ?, updated_at = ?
		WHERE id = (SELECT i.id FROM incidents i WHERE ` + where + ` ORDER BY ` + queueOrder + ` LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED)
		AND assignee_id IS NULL RETURNING *),
	e AS (
		INSERT INTO incident_events (incident_id, kind, actor_id, at, data)
		SELECT c.id, 'assigned', c.assignee_id, c.updated_at, jsonb_build_object('assignee_id', c.assignee_id, 'channel', c.channel,
			'since_accepted_us', (extract(epoch FROM c.updated_at - c.accepted_at) * 1000000)::bigint, 'claimed', true)
		FROM c)
	SELECT c.*, (SELECT coalesce(jsonb_agg(jsonb_build_object('id', ev.id, 'kind', ev.kind, 'actor_id', ev.actor_id, 'at', ev.at,
		'data', ev.data) ORDER BY ev.id), '[]') FROM incident_events ev WHERE ev.incident_id = c.id) AS timeline
	FROM c`
	var rows []claimRow
	if err := s.db.WithContext(ctx).Raw(q, append([]any{me, now}, args...)...).Scan(&rows).Error; err != nil {
		return Incident{}, nil, translate(err, "incident")
	}
	if len(rows) == 0 {
		return Incident{}, nil, errQueueEmpty
	}
	var events []Event
	if err := json.Unmarshal(rows[0].Timeline, &events); err != nil {
		return Incident{}, nil, err
	}
	for i := range events {
		events[i].IncidentID, events[i].At = rows[0].Incident.ID, events[i].At.UTC()
		sinceAccepted(events[i].Data)
	}
	return rows[0].Incident.toIncident(), events, nil
}

type claimRow struct {
	Incident incidentRow `gorm:"embedded"`
	Timeline []byte
}

// sinceAccepted renders a claim event's since_accepted_us (microseconds, as the claim's one
// statement stores it) as since_accepted in time.Duration.String's text, the form Assign writes
// and the timeline shows. Events stored with the text already are left as they are.
func sinceAccepted(data map[string]any) {
	us, ok := data["since_accepted_us"].(float64)
	if !ok {
		return
	}
	delete(data, "since_accepted_us")
	if _, done := data["since_accepted"]; !done {
		data["since_accepted"] = (time.Duration(int64(us)) * time.Microsecond).String()
	}
}

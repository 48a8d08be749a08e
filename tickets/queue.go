package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
)

// SeniorFirst is how long a premium or platinum incident is offered only to senior engineers
// (and support managers) before any engineer may claim it (SPEC §2: the priority queue is offered
// to seniors first). It matches seed 003's 2-minute phone handoff target for premium and
// platinum: an incident no senior took within the target should not wait longer for one.
const SeniorFirst = 2 * time.Minute

// Queue limits.
const (
	defaultQueueLimit = 50
	maxQueueLimit     = 200
)

// QueueFilter narrows the engineer queue, and what a claim may hand out.
type QueueFilter struct {
	Mine       bool   `json:"mine,omitempty"`       // assigned to the caller
	Unassigned bool   `json:"unassigned,omitempty"` // nobody assigned (a claim always is)
	Tier       string `json:"tier,omitempty"`
	Severity   int    `json:"severity,omitempty"`
	Product    string `json:"product,omitempty"`
	Office     string `json:"office,omitempty"` // the office of the customer's organisation
	Limit      int    `json:"limit,omitempty"`  // queue only: default 50, at most 200
	// DueWithin keeps only incidents whose next pending deadline falls due within this long
	// from now, overdue ones included (queue only; the "at risk" list).
	DueWithin time.Duration `json:"-"`
	dueBefore time.Time
}

// MaxDueWithin is the longest due_within window: no target runs longer (sla.MaxDuration).
const MaxDueWithin = sla.MaxDuration

// checkDueWithin validates a due_within window (zero: not given).
func checkDueWithin(d time.Duration) error {
	if d < 0 || d > MaxDueWithin {
		return apperr.InvalidField("due_within", "due_within must be a positive duration of at most %s", sla.FormatDuration(MaxDueWithin))
	}
	return nil
}

func (f *QueueFilter) validate() error {
	f.Tier, f.Product, f.Office = strings.TrimSpace(f.Tier), strings.TrimSpace(f.Product), strings.TrimSpace(f.Office)
	switch {
	case f.Mine && f.Unassigned:
		return apperr.InvalidField("unassigned", "mine and unassigned exclude each other")
	case f.Tier != "" && f.Tier != string(sla.Standard) && f.Tier != string(sla.Premium) && f.Tier != string(sla.Platinum):
		return apperr.InvalidField("tier", "tier must be standard, premium or platinum")
	case f.Severity < 0 || f.Severity > 4:
		return apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
	case checkDueWithin(f.DueWithin) != nil:
		return checkDueWithin(f.DueWithin)
	case f.Limit < 0 || f.Limit > maxQueueLimit:
		return apperr.InvalidField("limit", "limit is between 1 and %d", maxQueueLimit)
	}
	if f.Limit == 0 {
		f.Limit = defaultQueueLimit
	}
	return nil
}

// QueueItem is an open incident in the queue with its nearest open deadline: the pending SLA
// timer due first, if any.
type QueueItem struct {
	Incident
	NextDueAt  *time.Time  `json:"next_due_at"`
	NextTarget *sla.Target `json:"next_target"`
}

// Queue returns open incidents (not resolved) by urgency: premium and platinum first (the
// priority queue), then severity (1 first), then the nearest open deadline (incidents with no
// pending deadline after those with one), then the oldest. Staff who work incidents (engineers,
// support managers, admins) may read it.
// Errors: forbidden, invalid_value (unassigned, tier, severity, limit).
func (s *Service) Queue(ctx context.Context, actor accounts.User, f QueueFilter) ([]QueueItem, error) {
	if !worker(actor) {
		return nil, errStaffOnly
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	if f.DueWithin > 0 {
		f.dueBefore = s.clock.Now().Add(f.DueWithin)
	}
	items, err := s.store.findQueue(ctx, actor.ID, f)
	if err != nil {
		return nil, err
	}
	incs := make([]Incident, len(items))
	for i := range items {
		incs[i] = items[i].Incident
	}
	if err := s.withSLA(ctx, incs, false); err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Incident = incs[i]
	}
	return items, nil
}

// Claim assigns the caller the most urgent unassigned open incident they may take, in queue
// order, and records it on the timeline as an "assigned" event with "claimed": true. A senior
// engineer or a support manager may take any; an engineer who is not senior gets a premium or
// platinum incident only once it has waited longer than SeniorFirst. Concurrent claims never hand
// out the same incident: the candidate row is locked with SKIP LOCKED, so each claimer takes the
// next unlocked one instead of waiting (an incident locked by a change in progress is skipped
// too). Mine is refused; Unassigned and Limit are implied.
// Errors: forbidden, invalid_value (mine, tier, severity), queue_empty (404: nothing to claim).
func (s *Service) Claim(ctx context.Context, actor accounts.User, f QueueFilter) (Incident, error) {
	if actor.Role != accounts.Engineer && actor.Role != accounts.SupportManager {
		return Incident{}, apperr.New(apperr.Forbidden, "forbidden", "only engineers and support managers claim incidents")
	}
	if f.Mine {
		return Incident{}, apperr.InvalidField("mine", "a claim takes an unassigned incident")
	}
	f.Unassigned, f.Limit = true, 0
	if err := f.validate(); err != nil {
		return Incident{}, err
	}
	now := s.clock.Now().Truncate(time.Microsecond)
	var seniorSince *time.Time // priority incidents accepted after this wait for a senior
	if actor.Role == accounts.Engineer && !actor.Senior {
		t := now.Add(-SeniorFirst)
		seniorSince = &t
	}
	inc, events, err := s.store.claim(ctx, actor.ID, f, seniorSince, now)
	if errors.Is(err, errQueueEmpty) {
		return Incident{}, queueEmpty(seniorSince != nil)
	}
	if err != nil {
		return Incident{}, err
	}
	if inc.SLA, err = s.slaBlock(ctx, inc, events, true); err != nil {
		return Incident{}, err
	}
	return inc, nil
}

func queueEmpty(junior bool) error {
	msg := "no unassigned open incident matching the filter is available"
	if junior {
		msg += "; premium and platinum incidents are offered to senior engineers for their first " + SeniorFirst.String()
	}
	return apperr.New(apperr.NotFound, "queue_empty", "%s", msg)
}

var errQueueEmpty = errors.New("queue empty")

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
		// 00039) inside this statement: a claim stays one round trip.
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
// event or a timer takes on the incident. since_accepted is written by go_duration (migration
// 00006) in time.Duration's format, as Assign writes it. With seniorSince set, only priority
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
			'since_accepted', go_duration((extract(epoch FROM c.updated_at - c.accepted_at) * 1000000)::bigint), 'claimed', true)
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
	}
	return rows[0].Incident.toIncident(), events, nil
}

type claimRow struct {
	Incident incidentRow `gorm:"embedded"`
	Timeline []byte
}

package tickets

import (
	"context"
	"errors"
	"strings"
	"time"

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
	Mine       bool // assigned to the caller
	Unassigned bool // nobody assigned (a claim always is)
	Tier       string
	Severity   int
	Product    string
	Office     string // the office of the customer's organisation
	Limit      int    // queue only: default 50, at most 200
	// DueWithin keeps only incidents whose next pending deadline falls due within this long
	// from now, overdue ones included (queue only; the "at risk" list).
	DueWithin time.Duration
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
	NextDueAt  *time.Time
	NextTarget *sla.Target
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

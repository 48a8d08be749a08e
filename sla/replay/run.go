package replay

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// Source counts and streams recorded incidents (tickets.Store.CountStreamHistories and
// StreamHistories) in incident id order; the History fn is given is reused for the next
// incident.
type Source interface {
	CountStreamHistories(ctx context.Context, f tickets.HistoryFilter) (int, error)
	StreamHistories(ctx context.Context, f tickets.HistoryFilter, byHandOnly bool, fn func(h *tickets.History) error) error
}

// Setup says how to plan each incident twice: as recorded (the policy version it keeps, on
// Calendars) and as drafted (Draft's policy for its tier, on DraftCalendars). An incident whose
// cells (over the severities it had) are the same in both, on the same calendars, is planned
// once.
type Setup struct {
	Now            time.Time
	Calendars      sla.Calendars
	DraftCalendars sla.Calendars
	Draft          map[sla.Tier]sla.Policy
	// Recorded returns a policy version of a tier (cached by the caller's catalogue).
	Recorded func(tier sla.Tier, version int) (sla.Policy, error)
	// MaxChanges bounds the changed incidents listed in detail (the first by incident id); all
	// of them are counted.
	MaxChanges int
	// Workers is how many goroutines plan (0: one per core); the result is the same for any.
	Workers int
}

// Row compares one tier and severity (the incident's current severity, as in the SLA report).
type Row struct {
	Tier      string
	Severity  int
	Incidents int
	Changed   int
	Before    Counts // as recorded: each incident under the policy version it was planned with
	After     Counts // under the draft
}

// Change is an incident whose outcome changes, with both plans of each changed target.
type Change struct {
	IncidentID    uuid.UUID
	Reference     string
	Tier          string
	Severity      int
	AcceptedAt    time.Time
	PolicyVersion int
	Targets       []TargetChange
}

// Result is a replay's answer.
type Result struct {
	Incidents int
	Changed   int
	Rows      []Row
	Changes   []Change // at most Setup.MaxChanges, by incident id
}

type rowKey struct {
	tier string
	sev  int
}

// partial is one worker's share of the result.
type partial struct {
	rows    map[rowKey]*Row
	changes []Change
	changed int
}

// batchSize incidents travel together from the reader to the planners, so the channel costs
// little beside planning.
const batchSize = 256

// batch is a run of incidents in stream order with their events in one buffer; batches are
// recycled once planned, so reading allocates nothing per incident.
type batch struct {
	hs   []tickets.History
	ev   []sla.Event
	ends []int // hs[i]'s events end at ends[i] in ev
}

// add copies h (its events into the batch's buffer; fn's h is reused by the source).
func (b *batch) add(h *tickets.History) {
	b.hs = append(b.hs, *h)
	b.ev = append(b.ev, h.Input.Events...)
	b.ends = append(b.ends, len(b.ev))
}

// seal points every incident at its events, once the buffer no longer moves.
func (b *batch) seal() {
	from := 0
	for i, end := range b.ends {
		b.hs[i].Input.Events = b.ev[from:end:end]
		from = end
	}
}

func (b *batch) reset() {
	clear(b.hs) // drop the strings of the last use
	b.hs, b.ev, b.ends = b.hs[:0], b.ev[:0], b.ends[:0]
}

// Run streams the incidents f selects from src, plans each as recorded and as drafted on
// s.Workers goroutines (every core when 0), and aggregates the comparison: the result does not
// depend on the number of workers. progress (may be nil) is told the number of incidents read so
// far, from the reading goroutine, at most every batch. Run writes nothing.
func Run(ctx context.Context, src Source, f tickets.HistoryFilter, s Setup, progress func(done int)) (Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	drafts := make(map[sla.Tier]*evaluator, len(s.Draft))
	for t, p := range s.Draft {
		drafts[t] = newEvaluator(p, s.DraftCalendars)
	}
	batches := make(chan *batch, workers*2)
	free := make(chan *batch, workers*3+1)
	parts := make([]partial, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &parts[w]
			p.rows = map[rowKey]*Row{}
			pl := planners{setup: &s, drafts: drafts, recorded: map[policyKey]*pair{}}
			for b := range batches {
				if ctx.Err() == nil {
					for i := range b.hs {
						if err := pl.one(&b.hs[i], p); err != nil {
							cancel(fmt.Errorf("incident %s: %w", b.hs[i].Reference, err))
							break
						}
					}
				} // else drain: the replay has failed
				b.reset()
				select {
				case free <- b:
				default:
				}
			}
		}()
	}
	var read atomic.Int64
	next := func() *batch {
		select {
		case b := <-free:
			return b
		default:
			return &batch{hs: make([]tickets.History, 0, batchSize), ev: make([]sla.Event, 0, batchSize*8), ends: make([]int, 0, batchSize)}
		}
	}
	b := next()
	err := src.StreamHistories(ctx, f, true, func(h *tickets.History) error {
		b.add(h)
		if len(b.hs) == batchSize {
			b.seal()
			select {
			case batches <- b:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
			b = next()
			if progress != nil {
				progress(int(read.Add(batchSize)))
			}
		}
		return nil
	})
	if err == nil && len(b.hs) > 0 {
		b.seal()
		batches <- b
	}
	close(batches)
	wg.Wait()
	if cause := context.Cause(ctx); err == nil && cause != nil {
		err = cause
	}
	if err != nil {
		return Result{}, err
	}
	return merge(parts, s.MaxChanges), nil
}

type policyKey struct {
	tier    sla.Tier
	version int
}

// planners is one worker's view of the setup: the draft's evaluators, shared, and the pairs of
// a recorded policy version it has met with its tier's draft.
type planners struct {
	setup    *Setup
	drafts   map[sla.Tier]*evaluator
	recorded map[policyKey]*pair
}

// one plans one incident both ways and adds it to p.
func (pl *planners) one(h *tickets.History, p *partial) error {
	s := pl.setup
	key := policyKey{sla.Tier(h.Tier), h.PolicyVersion}
	pr, ok := pl.recorded[key]
	if !ok {
		draft, ok := pl.drafts[key.tier]
		if !ok {
			return fmt.Errorf("no policy to replay tier %q with", h.Tier)
		}
		rec, err := s.Recorded(key.tier, key.version)
		if err != nil {
			return err
		}
		pr = newPair(newEvaluator(rec, s.Calendars), draft)
		pl.recorded[key] = pr
	}
	b, err := pr.before.evaluate(h.Input, s.Now)
	if err != nil {
		return err
	}
	a := b
	if differ := pr.differ(h.Input); differ != 0 {
		// Only the targets whose cells differ are planned under the draft; the others come to
		// the same outcome as recorded.
		part, err := pr.draftOf(differ).evaluate(h.Input, s.Now)
		if err != nil {
			return err
		}
		a = b.with(part, differ)
	}
	row := p.rows[rowKey{h.Tier, h.Severity}]
	if row == nil {
		row = &Row{Tier: h.Tier, Severity: h.Severity}
		p.rows[rowKey{h.Tier, h.Severity}] = row
	}
	row.Incidents++
	row.Before.add(b)
	row.After.add(a)
	if ch := Changes(b, a); len(ch) > 0 {
		row.Changed++
		p.changed++
		// Batches reach a worker in stream (id) order, so its first changes are its smallest ids.
		if len(p.changes) < s.MaxChanges {
			p.changes = append(p.changes, Change{IncidentID: h.ID, Reference: h.Reference, Tier: h.Tier, Severity: h.Severity,
				AcceptedAt: h.Input.AcceptedAt, PolicyVersion: h.PolicyVersion, Targets: ch})
		}
	}
	return nil
}

// targets is a set of policy targets, bit i for sla.PolicyTargets[i].
type targets uint8

func (ts targets) has(t sla.Target) bool { return ts&targetBit(t) != 0 }

func targetBit(t sla.Target) targets {
	if i := slices.Index(sla.PolicyTargets, t); i >= 0 {
		return 1 << i
	}
	return 0
}

// pair is a recorded policy and the draft of its tier, with the targets they plan apart at each
// severity: a target's plan depends only on its own cell, its calendar and the events, so one
// whose cell is equal, on the same calendar (a 24x7 cell is the same under a draft calendar),
// comes to the same outcome under both and is not planned again.
type pair struct {
	before, draft *evaluator
	apart         [5]targets // by severity
	drafts        [16]*evaluator
}

func newPair(before, draft *evaluator) *pair {
	pr := &pair{before: before, draft: draft}
	for sev := 1; sev <= 4; sev++ {
		for i, t := range sla.PolicyTargets {
			ca, oka := before.p.Cell(sev, t)
			cb, okb := draft.p.Cell(sev, t)
			if oka == okb && ca.Equal(cb) && (!ca.Kind.Timed() || ca.Clock == sla.Clock24x7 || before.cals[ca.Clock] == draft.cals[cb.Clock]) {
				continue
			}
			pr.apart[sev] |= 1 << i
		}
	}
	return pr
}

// differ returns the targets the two policies plan apart over the severities the incident had.
func (pr *pair) differ(in sla.Incident) targets {
	const all = 1<<4 - 1
	at := func(sev int) targets {
		if sev < 1 || sev > 4 {
			return all // the plan fails as recorded already
		}
		return pr.apart[sev]
	}
	ts := at(in.Severity)
	for _, e := range in.Events {
		if e.Kind == sla.SeverityChanged {
			ts |= at(e.Severity)
		}
	}
	// Reaching the executive level escalates the support manager's too: a change of either is
	// listed with both plans of the support manager's target, so both are planned.
	if esc := targetBit(sla.SupportManager) | targetBit(sla.Executive); ts&esc != 0 {
		ts |= esc
	}
	return ts
}

// draftOf returns the draft restricted to the cells of ts, made once per set.
func (pr *pair) draftOf(ts targets) *evaluator {
	if ev := pr.drafts[ts]; ev != nil {
		return ev
	}
	p := sla.Policy{Tier: pr.draft.p.Tier, Version: pr.draft.p.Version}
	for _, c := range pr.draft.p.Cells {
		if slices.Contains(sla.PolicyTargets, c.Target) && ts.has(c.Target) {
			p.Cells = append(p.Cells, c)
		}
	}
	pr.drafts[ts] = newEvaluator(p, pr.draft.cals)
	return pr.drafts[ts]
}

var tierOrder = map[string]int{"platinum": 0, "premium": 1, "standard": 2}

func merge(parts []partial, maxChanges int) Result {
	rows := map[rowKey]*Row{}
	var res Result
	for _, p := range parts {
		for k, r := range p.rows {
			m := rows[k]
			if m == nil {
				m = &Row{Tier: r.Tier, Severity: r.Severity}
				rows[k] = m
			}
			m.Incidents += r.Incidents
			m.Changed += r.Changed
			m.Before = m.Before.plus(r.Before)
			m.After = m.After.plus(r.After)
		}
		res.Changed += p.changed
		res.Changes = append(res.Changes, p.changes...)
	}
	for _, r := range rows {
		res.Incidents += r.Incidents
		res.Rows = append(res.Rows, *r)
	}
	sort.Slice(res.Rows, func(i, j int) bool {
		a, b := res.Rows[i], res.Rows[j]
		if tierOrder[a.Tier] != tierOrder[b.Tier] {
			return tierOrder[a.Tier] < tierOrder[b.Tier]
		}
		return a.Severity < b.Severity
	})
	sort.Slice(res.Changes, func(i, j int) bool {
		return slices.Compare(res.Changes[i].IncidentID[:], res.Changes[j].IncidentID[:]) < 0
	})
	if len(res.Changes) > maxChanges {
		res.Changes = res.Changes[:maxChanges]
	}
	return res
}

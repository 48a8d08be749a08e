package workers

import (
	"context"
	"log/slog"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/tickets"
)

// Batching of due timers. Deliveries run concurrently (one asynq handler each); each hands its
// timer to a firer and waits. A firer loop takes whatever deliveries are waiting, up to
// FireBatch, and decides them in one claim statement and one transaction, so a burst of
// deadlines costs one transaction per batch instead of one per timer (a transaction per timer
// drained 100,000 simultaneous deadlines at about 250 a second). At a steady trickle a batch is
// a single timer and nothing waits for company: a loop starts on the first delivery it sees.
const (
	// FireBatch is the most timers decided in one transaction.
	FireBatch = 128
	// fireLoops is how many batches are decided at once.
	fireLoops = 4
)

type fireReq struct {
	id    uuid.UUID
	claim bool // first attempt: record the claim (see tickets.Store.ClaimTimers)
	done  chan fireResult
}

type fireResult struct {
	fired tickets.Fired
	err   error
}

// firer batches timer firings for the handlers of one worker process.
type firer struct {
	reqs      chan fireReq
	incidents *tickets.Service
	timers    TimerStore
	clock     clock.Clock
	log       *slog.Logger
}

func newFirer(d Deps) *firer {
	return &firer{reqs: make(chan fireReq), incidents: d.Incidents, timers: d.Timers, clock: d.Clock, log: d.Log}
}

// run serves batches until ctx ends. It is stopped after the asynq server, whose handlers wait
// on it.
func (f *firer) run(ctx context.Context) {
	for {
		var batch []fireReq
		select {
		case <-ctx.Done():
			return
		case r := <-f.reqs:
			batch = append(batch, r)
		}
	more:
		for len(batch) < FireBatch {
			select {
			case r := <-f.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		f.decide(ctx, batch)
	}
}

// fire hands one timer to a loop and waits for its outcome. When the delivery's context ends
// first the task fails and asynq retries it; the batch may still commit, and the retry then
// finds the timer fired.
func (f *firer) fire(ctx context.Context, id uuid.UUID, claim bool) (tickets.Fired, error) {
	r := fireReq{id: id, claim: claim, done: make(chan fireResult, 1)}
	select {
	case f.reqs <- r:
	case <-ctx.Done():
		return tickets.Fired{}, ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.fired, res.err
	case <-ctx.Done():
		return tickets.Fired{}, ctx.Err()
	}
}

// decide claims the batch's first deliveries, fires what is still pending, and answers each
// request. A failed batch is retried timer by timer, so one timer that cannot be decided holds
// up no other.
func (f *firer) decide(ctx context.Context, batch []fireReq) {
	var claims []uuid.UUID
	for _, r := range batch {
		if r.claim {
			claims = append(claims, r.id)
		}
	}
	claimed, err := f.timers.ClaimTimers(ctx, claims, f.clock.Now())
	if err != nil {
		for _, r := range batch {
			r.done <- fireResult{err: err}
		}
		return
	}
	ids := make([]uuid.UUID, 0, len(batch))
	live := make([]fireReq, 0, len(batch))
	for _, r := range batch {
		if r.claim && !claimed[r.id] {
			r.done <- fireResult{fired: tickets.Fired{Outcome: tickets.OutcomeStale}}
			continue
		}
		ids = append(ids, r.id)
		live = append(live, r)
	}
	if len(ids) == 0 {
		return
	}
	out, err := f.incidents.FireTimers(ctx, ids)
	if err == nil {
		for i, r := range live {
			r.done <- fireResult{fired: out[i], err: out[i].Err}
		}
		return
	}
	if len(ids) == 1 {
		live[0].done <- fireResult{err: err}
		return
	}
	f.log.Warn("timer batch failed; deciding its timers one by one", "timers", len(ids), "error", err)
	for _, r := range live {
		out, err := f.incidents.FireTimers(ctx, []uuid.UUID{r.id})
		if err != nil {
			r.done <- fireResult{err: err}
			continue
		}
		r.done <- fireResult{fired: out[0], err: out[0].Err}
	}
}

package workers

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
)

// TestWaitingDeliveriesAgreesWithInspector: the pipelined read of task states that spares a
// burst's backlog one GetTaskInfo per overdue timer calls waiting exactly the deliveries the
// inspector reports pending or scheduled, and nothing for a timer asynq does not hold or one
// already claimed.
func TestWaitingDeliveriesAgreesWithInspector(t *testing.T) {
	ctx := context.Background()
	rc := testenv.Redis(t)
	opt := asynq.RedisClientOpt{Addr: rc.Addr, Password: rc.Password, DB: rc.DB}
	q := NewTimerQueue(opt, nil, clock.Real{}, slog.New(slog.DiscardHandler))
	defer q.Close()
	rdb := redis.NewClient(&redis.Options{Addr: rc.Addr, Password: rc.Password, DB: rc.DB})
	defer rdb.Close()
	now := time.Now()
	scheduled, pending, absent, claimed := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	for id, at := range map[uuid.UUID]time.Time{scheduled: now.Add(time.Hour), pending: now.Add(-time.Second), claimed: now.Add(-time.Second)} {
		if err := q.enqueue(ctx, id, at, taskID(id), at); err != nil {
			t.Fatal(err)
		}
	}
	r := &Reconciler{Queue: q, Redis: rdb}
	got := r.waitingDeliveries(ctx, []tickets.Timer{{ID: scheduled}, {ID: pending}, {ID: absent}, {ID: claimed, ClaimedAt: &now}})
	for id, want := range map[uuid.UUID]bool{scheduled: true, pending: true, absent: false, claimed: false} {
		if got[id] != want {
			t.Errorf("timer %s waiting = %v, want %v", id, got[id], want)
		}
		info, err := q.insp.GetTaskInfo(QueueCritical, taskID(id))
		inspected := err == nil && (info.State == asynq.TaskStatePending || info.State == asynq.TaskStateScheduled)
		if id != claimed && inspected != want {
			t.Errorf("timer %s: the inspector says waiting = %v (%v)", id, inspected, err)
		}
	}
}

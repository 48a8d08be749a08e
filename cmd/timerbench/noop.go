package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/supportd/supportd/internal/scratch"
	"github.com/supportd/supportd/workers"
)

// runNoop measures asynq alone: n tasks scheduled for the same second, drained by a server with
// the worker process's asynq settings (workers.AsynqConfig) and a handler that does nothing. It
// is the floor under a burst of deadlines: what is left of the burst's time is the engine's.
func runNoop(n int, lead time.Duration, conc int, redisURL string) error {
	ctx := context.Background()
	opt := mustRedis(redisURL)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := scratch.ClaimRedis(ctx, rdb, "timerbench", true); err != nil {
		return err
	}
	conn := asynq.RedisClientOpt{Addr: opt.Addr, Username: opt.Username, Password: opt.Password, DB: opt.DB}
	client := asynq.NewClient(conn)
	defer client.Close()
	at := time.Now().Add(lead).Truncate(time.Second)
	for i := 0; i < n; i++ {
		if _, err := client.EnqueueContext(ctx, asynq.NewTask("bench:noop", nil), asynq.Queue(workers.QueueCritical),
			asynq.TaskID(fmt.Sprint("noop:", i)), asynq.ProcessAt(at)); err != nil {
			return err
		}
	}
	if time.Now().After(at) {
		return fmt.Errorf("scheduling took longer than -lead %v; raise it", lead)
	}
	fmt.Printf("scheduled %d no-op tasks for %s\n", n, at.Format("15:04:05"))
	var done, last atomic.Int64
	mux := asynq.NewServeMux()
	mux.HandleFunc("bench:noop", func(context.Context, *asynq.Task) error {
		if done.Add(1) == int64(n) {
			last.Store(time.Now().UnixNano())
		}
		return nil
	})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := asynq.NewServer(conn, workers.AsynqConfig(workers.Config{Concurrency: conc}, log))
	if err := srv.Start(mux); err != nil {
		return err
	}
	defer srv.Shutdown()
	for done.Load() < int64(n) {
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("asynq alone (no-op handler, concurrency %d): %d tasks drained %v after their time\n",
		conc, n, time.Unix(0, last.Load()).Sub(at).Round(time.Millisecond))
	return nil
}

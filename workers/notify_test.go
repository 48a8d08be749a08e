package workers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/workers"
	"gorm.io/gorm"
)

// TestNotifyTasks runs the notification handlers on a real asynq server: a deliver task, sent
// twice, reaches the webhook once; a sweep task sends what no deliver task announced; a payload
// that is not an ID is archived without retries.
func TestNotifyTasks(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	rc := testenv.Redis(t)
	redis := asynq.RedisClientOpt{Addr: rc.Addr, Password: rc.Password, DB: rc.DB}
	// Earlier tests in this package share the database: leave no pending rows or subscriptions.
	quiet := func() {
		db.Exec("UPDATE notifications SET state = 'failed' WHERE state = 'pending'")
		db.Exec("UPDATE webhooks SET active = false WHERE active")
	}
	quiet()
	t.Cleanup(quiet)
	c := clock.Real{}
	// The reminders test's token: BootstrapAdmin with a second token finds no admin once one
	// exists (its Take keeps the fresh row's ID as a condition), so tests sharing a database
	// share the token.
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "reminder-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu       sync.Mutex
		received = map[string]int{}
		secret   []byte
	)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(escalation.HeaderTimestamp), 10, 64)
		mu.Lock()
		defer mu.Unlock()
		if escalation.Sign(secret, ts, body) != r.Header.Get(escalation.HeaderSignature) {
			t.Errorf("bad signature on %s", body)
		}
		received[r.Header.Get(escalation.HeaderDelivery)]++
	}))
	t.Cleanup(endpoint.Close)
	_, s, err := escalation.NewWebhooks(escalation.NewStore(db), acc, c, escalation.WebhookOptions{AllowPrivate: true}).Create(ctx, admin, escalation.NewWebhook{Name: "workers test", URL: endpoint.URL})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = []byte(s)
	mu.Unlock()

	srv := asynq.NewServer(redis, asynq.Config{Concurrency: 4, Queues: workers.Queues, LogLevel: asynq.FatalLevel})
	mux := asynq.NewServeMux()
	workers.NewDeliveryHandlers(escalation.NewDeliverer(escalation.NewStore(db), acc, nil, c, quietLog(), escalation.DeliveryConfig{AllowPrivate: true}), c, quietLog()).Register(mux)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	client := asynq.NewClient(redis)
	t.Cleanup(func() { _ = client.Close() })
	insp := asynq.NewInspector(redis)
	t.Cleanup(func() { _ = insp.Close() })

	notifier := escalation.NewOutbox(acc, nil)
	notify := func(key string) uuid.UUID {
		t.Helper()
		var ids []uuid.UUID
		err := db.Transaction(func(tx *gorm.DB) error {
			var err error
			ids, err = notifier.Notify(ctx, dbx.NewTx(tx, c.Now()), escalation.Note{Kind: escalation.KindEscalation, Subject: "INC escalated",
				DedupKey: key})
			return err
		})
		if err != nil || len(ids) != 1 {
			t.Fatalf("notify: %v, %v; want one webhook row", ids, err)
		}
		return ids[0]
	}
	delivered := func(id uuid.UUID) bool {
		var state string
		db.Raw("SELECT state FROM notifications WHERE id = ?", id).Scan(&state)
		return state == "delivered"
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	drained := func() bool {
		q, err := insp.GetQueueInfo(workers.QueueDefault)
		return err == nil && q.Pending == 0 && q.Active == 0 && q.Retry == 0
	}

	// Fast path, with a duplicated task.
	fast := notify("escalation:" + uuid.NewString() + ":fast")
	if err := workers.EnqueueDeliveries(ctx, client, []uuid.UUID{fast, fast}); err != nil {
		t.Fatal(err)
	}
	waitFor("fast-path delivery", func() bool { return delivered(fast) })
	waitFor("queue drained", drained)

	// Nobody announced this one: the sweep finds it.
	swept := notify("escalation:" + uuid.NewString() + ":swept")
	if _, err := client.Enqueue(workers.NewSweepTask()); err != nil {
		t.Fatal(err)
	}
	waitFor("sweep delivery", func() bool { return delivered(swept) })

	// A payload that can never succeed is archived at once.
	bad, err := client.Enqueue(asynq.NewTask(workers.TypeNotifyDeliver, []byte("not-an-id"), asynq.Queue(workers.QueueDefault)))
	if err != nil {
		t.Fatal(err)
	}
	waitFor("bad payload archived", func() bool {
		info, err := insp.GetTaskInfo(workers.QueueDefault, bad.ID)
		return err == nil && info.State == asynq.TaskStateArchived && info.Retried == 0
	})
	waitFor("queue drained", drained)

	mu.Lock()
	defer mu.Unlock()
	if received[fast.String()] != 1 || received[swept.String()] != 1 || len(received) != 2 {
		t.Errorf("deliveries received = %v, want %s and %s once each", received, fast, swept)
	}
}

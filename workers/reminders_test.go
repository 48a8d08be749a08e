package workers_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/entitlement"
	"github.com/supportd/supportd/workers"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// worker is one `supportd work` instance running in the test process.
type worker struct {
	cancel context.CancelFunc
	done   chan error
}

func startWorker(t *testing.T, redis asynq.RedisConnOpt, deps workers.Deps) *worker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{cancel: cancel, done: make(chan error, 1)}
	go func() {
		w.done <- workers.Run(ctx, redis, workers.Config{Concurrency: 4, ShutdownTimeout: 5 * time.Second}, deps)
	}()
	t.Cleanup(w.stop)
	return w
}

func (w *worker) stop() {
	if w.cancel == nil {
		return
	}
	w.cancel()
	<-w.done
	w.cancel = nil
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// TestRenewalRemindersExactlyOnce crosses every milestone with a controlled clock while two
// workers race on duplicated deliveries and one of them restarts midway: each milestone is told
// to the organisation's admins exactly once.
func TestRenewalRemindersExactlyOnce(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	rc := testenv.Redis(t)
	redis := asynq.RedisClientOpt{Addr: rc.Addr, Password: rc.Password, DB: rc.DB}
	end := time.Date(2027, 3, 31, 15, 0, 0, 0, time.UTC) // 2027-04-01 00:00 JST
	c := clock.NewFake(end.Add(-100 * 24 * time.Hour))

	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "reminder-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: fmt.Sprintf("Reminded %s %d", t.Name(), time.Now().UnixNano()), Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	var admins []accounts.User
	for i := 0; i < 2; i++ {
		u, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("admin%d-%d@reminded.example", i, time.Now().UnixNano()), Name: "OA", Role: accounts.OrgAdmin, OrganizationID: &org.ID})
		if err != nil {
			t.Fatal(err)
		}
		admins = append(admins, u)
	}
	ents := entitlement.NewService(entitlement.NewStore(db), acc, c)
	ent, err := ents.Create(ctx, admin, org.ID, entitlement.Entitlement{Product: "endpoint", Tier: "premium", LicenseType: entitlement.Subscription,
		StartsAt: end.AddDate(-1, 0, 0), EndsAt: end, SerialNumber: "REM-1", RenewalWindowDays: 90,
		Grace: entitlement.GracePolicy{Days: 30, Intake: entitlement.GraceAccept}})
	if err != nil {
		t.Fatal(err)
	}

	deps := workers.Deps{Clock: c, Log: quietLog(), Reminders: entitlement.NewReminders(entitlement.NewStore(db), acc, escalation.NewOutbox(acc, nil), quietLog())}
	a, b := startWorker(t, redis, deps), startWorker(t, redis, deps)
	client := asynq.NewClient(redis)
	defer client.Close()
	insp := asynq.NewInspector(redis)
	defer insp.Close()

	// tick delivers the periodic job twice (two schedulers, or a duplicate delivery) and waits
	// until both deliveries have been handled.
	tick := func() {
		t.Helper()
		for i := 0; i < 2; i++ {
			if _, err := client.Enqueue(workers.NewRenewalRemindersTask(), asynq.Queue(workers.QueueDefault)); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			q, err := insp.GetQueueInfo(workers.QueueDefault)
			if err == nil && q.Pending == 0 && q.Active == 0 && q.Retry == 0 {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("reminder tasks not drained")
	}
	day := 24 * time.Hour
	steps := []struct {
		at   time.Time
		want []string // milestones sent so far
	}{
		{end.Add(-95 * day), nil},
		{end.Add(-90 * day), []string{"90d"}}, // at the exact instant
		{end.Add(-75 * day), []string{"90d"}},
		{end.Add(-60*day + time.Minute), []string{"90d", "60d"}},
		{end.Add(-31 * day), []string{"90d", "60d"}},
		{end.Add(-30*day + time.Hour), []string{"90d", "60d", "30d"}},
		{end.Add(-1 * day), []string{"90d", "60d", "30d"}},
		{end.Add(2 * time.Hour), []string{"90d", "60d", "30d", "0d"}},
		{end.Add(29 * day), []string{"90d", "60d", "30d", "0d"}},
		{end.Add(30*day + time.Second), []string{"90d", "60d", "30d", "0d", "grace_end"}},
		{end.Add(40 * day), []string{"90d", "60d", "30d", "0d", "grace_end"}},
	}
	for i, st := range steps {
		c.Set(st.at)
		if i == 5 { // restart one worker midway
			a.stop()
			a = startWorker(t, redis, deps)
		}
		tick()
		tick()
		got := sentMilestones(t, db, ent.ID)
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Fatalf("at %s: sent %v, want %v", st.at, got, st.want)
		}
	}
	_ = b
	// Each admin got each of the five reminders once in their inbox.
	for _, u := range admins {
		var n int64
		if err := db.Raw("SELECT count(*) FROM notifications WHERE recipient_id = ? AND kind = 'renewal_reminder'", u.ID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Fatalf("admin %s has %d reminders, want 5", u.Email, n)
		}
	}
}

func sentMilestones(t *testing.T, db *gorm.DB, id any) []string {
	t.Helper()
	var ms []string
	if err := db.Raw("SELECT milestone FROM renewal_reminders WHERE entitlement_id = ? ORDER BY due_at", id).Scan(&ms).Error; err != nil {
		t.Fatal(err)
	}
	return ms
}

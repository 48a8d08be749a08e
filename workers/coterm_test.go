package workers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla/entitlement"
)

// TestCoTermRemindersFollowTheNewEnd co-terms an add-on to its base contract's end (seed 000):
// the renewal is kept in the history, the period is shorter than a year, and the renewal
// reminders are computed from the new end — the old end's milestones never go out.
func TestCoTermRemindersFollowTheNewEnd(t *testing.T) {
	ctx := context.Background()
	db := testenv.DB(t)
	day := 24 * time.Hour
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := clock.NewFake(now)
	acc := accounts.NewStore(db, c)
	admin, err := acc.BootstrapAdmin(ctx, "coterm-test-admin-token")
	if err != nil {
		t.Fatal(err)
	}
	org, err := acc.CreateOrganization(ctx, admin, accounts.NewOrganization{Name: fmt.Sprintf("Co-termed %d", time.Now().UnixNano()), Office: "tokyo"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CreateUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("oa-%d@coterm.example", time.Now().UnixNano()), Name: "OA",
		Role: accounts.OrgAdmin, OrganizationID: &org.ID}); err != nil {
		t.Fatal(err)
	}
	ents := entitlement.NewService(entitlement.NewStore(db), acc, c)
	baseEnd := now.Add(200 * day)
	baseC, err := ents.Create(ctx, admin, org.ID, entitlement.Entitlement{Product: "endpoint", Tier: "premium", LicenseType: entitlement.Subscription,
		StartsAt: baseEnd.AddDate(-1, 0, 0), EndsAt: baseEnd, SerialNumber: "CT-BASE"})
	if err != nil {
		t.Fatal(err)
	}
	oldEnd := now.Add(40 * day)
	addOn, err := ents.Create(ctx, admin, org.ID, entitlement.Entitlement{Product: "mail-security", Tier: "standard", LicenseType: entitlement.Subscription,
		StartsAt: oldEnd.AddDate(-1, 0, 0), EndsAt: oldEnd, SerialNumber: "CT-ADDON"})
	if err != nil {
		t.Fatal(err)
	}
	// Before co-terming, the add-on's 60-day reminder is due now (its end is 40 days away).
	if ms := entitlement.DueMilestones(entitlement.Entitlement{EndsAt: addOn.EndsAt, LicenseType: entitlement.Subscription}, now); fmt.Sprint(ms) != "[60d]" {
		t.Fatalf("due before co-terming: %v", ms)
	}

	res, err := ents.CoTerm(ctx, admin, org.ID, []uuid.UUID{baseC.ID, addOn.ID}, baseEnd)
	if err != nil {
		t.Fatal(err)
	}
	p := res[1].Period
	if !res[0].Period.Unchanged || p.Unchanged || !p.StartsAt.Equal(oldEnd) || !p.EndsAt.Equal(baseEnd) || !p.ShorterThanYear ||
		!res[1].View.EndsAt.Equal(baseEnd) || !res[1].View.StartsAt.Equal(addOn.StartsAt) {
		t.Fatalf("co-term result: %+v / %+v", res[0].Period, p)
	}
	// The renewal is kept in the history, like any renewal.
	var hist []struct {
		PreviousEnds time.Time
		EndsAt       time.Time
		RenewedBy    uuid.UUID
	}
	if err := db.Raw("SELECT previous_ends, ends_at, renewed_by FROM entitlement_renewals WHERE entitlement_id = ?", addOn.ID).Scan(&hist).Error; err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || !hist[0].PreviousEnds.Equal(oldEnd) || !hist[0].EndsAt.Equal(baseEnd) || hist[0].RenewedBy != admin.ID {
		t.Fatalf("history: %+v", hist)
	}
	var baseRenewals int64
	if err := db.Raw("SELECT count(*) FROM entitlement_renewals WHERE entitlement_id = ?", baseC.ID).Scan(&baseRenewals).Error; err != nil || baseRenewals != 0 {
		t.Fatalf("the unchanged base contract got %d renewals (%v)", baseRenewals, err)
	}

	// Reminders now follow the new end: nothing is due for the add-on at the old dates…
	rem := entitlement.NewReminders(entitlement.NewStore(db), acc, escalation.NewOutbox(acc, nil), quietLog())
	for _, at := range []time.Time{now, oldEnd.Add(-30 * day), oldEnd, oldEnd.Add(day)} {
		if _, err := rem.SendDue(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	if got := sentMilestones(t, db, addOn.ID); len(got) != 0 {
		t.Fatalf("reminders from the old end: %v", got)
	}
	// …and each milestone goes out at its instant before the new end, keyed by that end.
	for _, m := range []struct {
		at   time.Duration
		want string
	}{{-90 * day, "[90d]"}, {-60 * day, "[90d 60d]"}, {-30 * day, "[90d 60d 30d]"}, {0, "[90d 60d 30d 0d]"}} {
		if _, err := rem.SendDue(ctx, baseEnd.Add(m.at)); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(sentMilestones(t, db, addOn.ID)); got != m.want {
			t.Fatalf("at new end %v: %s, want %s", m.at, got, m.want)
		}
	}
	var ends []time.Time
	if err := db.Raw("SELECT DISTINCT period_ends FROM renewal_reminders WHERE entitlement_id = ?", addOn.ID).Scan(&ends).Error; err != nil {
		t.Fatal(err)
	}
	if len(ends) != 1 || !ends[0].Equal(baseEnd) {
		t.Fatalf("reminders keyed by %v, want the new end %v", ends, baseEnd)
	}
}

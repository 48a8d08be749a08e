package catalog_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func mornings() catalog.Calendar {
	week := map[string][]catalog.Interval{}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday"} {
		week[d] = []catalog.Interval{{Open: "09:00", Close: "12:00"}}
	}
	return catalog.Calendar{TimeZone: "Asia/Tokyo", Weekly: week, NationalHolidays: "jp"}
}

func dur(d time.Duration) *catalog.Duration { x := catalog.Duration(d); return &x }

// TestVersionsAreKeptAndPinned: editing a policy or a calendar adds a version; earlier versions
// stay readable unchanged, a new snapshot takes the newest, and a pinned snapshot keeps the
// versions it names (a calendar it does not name at its current version). Its own database:
// the edits would change what every other test plans with.
func TestVersionsAreKeptAndPinned(t *testing.T) {
	ctx := context.Background()
	db := testenv.OpenDB(t, testenv.FreshDatabase(t))
	c := clock.NewFake(time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC))
	cat := catalog.New(catalog.NewStore(db), c)
	first, err := cat.Current(ctx, sla.Premium)
	if err != nil {
		t.Fatal(err)
	}
	if first.Policy.Version != 1 || first.Versions[sla.JPBusiness] != 1 {
		t.Fatalf("a fresh database: policy v%d, calendars %v", first.Policy.Version, first.Versions)
	}
	u, err := accounts.NewStore(db, c).BootstrapAdmin(ctx, "catalog-test-admin-token-"+uuid.NewString())
	if err != nil {
		t.Fatal(err)
	}
	admin := u.ID
	p2, err := cat.PutPolicy(ctx, admin, sla.Premium, []catalog.Cell{{Severity: 1, Target: "first_response", Duration: dur(30 * time.Minute), Clock: "24x7"}})
	if err != nil || p2.Version != 2 {
		t.Fatalf("put policy: %+v %v", p2, err)
	}
	c2, err := cat.PutCalendar(ctx, admin, sla.JPBusiness, mornings())
	if err != nil || c2.Version != 2 {
		t.Fatalf("put calendar: %+v %v", c2, err)
	}
	now, err := cat.Current(ctx, sla.Premium)
	if err != nil || now.Policy.Version != 2 || now.Versions[sla.JPBusiness] != 2 {
		t.Fatalf("current after the edits: %+v %v", now.Versions, err)
	}
	if cell, _ := now.Policy.Cell(1, sla.FirstResponse); cell.Duration != 30*time.Minute {
		t.Fatalf("v2 first response %v", cell.Duration)
	}
	v1, err := cat.Policy(ctx, sla.Premium, 1)
	if err != nil || !reflect.DeepEqual(v1, first.Policy) {
		t.Fatalf("v1 changed: %v", err)
	}
	pinned, err := cat.Snapshot(ctx, first.Pin())
	if err != nil {
		t.Fatal(err)
	}
	if pinned.Versions[sla.JPBusiness] != 1 || pinned.Calendars[sla.JPBusiness].BusinessDay() != first.Calendars[sla.JPBusiness].BusinessDay() {
		t.Fatalf("pinned snapshot: %v, business day %v", pinned.Versions, pinned.Calendars[sla.JPBusiness].BusinessDay())
	}
	unpinned, err := cat.Snapshot(ctx, catalog.Pin{Tier: sla.Premium, Policy: 1})
	if err != nil || unpinned.Versions[sla.JPBusiness] != 2 || unpinned.Calendars[sla.JPBusiness].BusinessDay() != 3*time.Hour {
		t.Fatalf("a calendar the pin does not name: %v %v", unpinned.Versions, err)
	}
	if first.Pin().Key() == now.Pin().Key() || first.Pin().Key() != pinned.Pin().Key() {
		t.Fatalf("pin keys: %q %q %q", first.Pin().Key(), now.Pin().Key(), pinned.Pin().Key())
	}
	if _, err := cat.Snapshot(ctx, catalog.Pin{Tier: sla.Premium, Policy: 99}); err == nil {
		t.Fatal("a policy version that does not exist")
	}

	// Another process learns of the edits within CurrentTTL (on the injected clock); the versions
	// it read stay cached.
	other := catalog.New(catalog.NewStore(db), c)
	if _, err := other.Current(ctx, sla.Premium); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.PutCalendar(ctx, admin, sla.JPBusiness, mornings()); err != nil {
		t.Fatal(err)
	}
	if s, err := other.Current(ctx, sla.Premium); err != nil || s.Versions[sla.JPBusiness] != 2 {
		t.Fatalf("within CurrentTTL another catalogue plans on its cached calendar v2: v%d, %v", s.Versions[sla.JPBusiness], err)
	}
	c.Advance(catalog.CurrentTTL)
	deadline := time.Now().Add(catalog.CurrentTTL + 5*time.Second)
	for {
		s, err := other.Current(ctx, sla.Premium)
		if err != nil {
			t.Fatal(err)
		}
		if s.Versions[sla.JPBusiness] == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("another catalogue still plans on calendar v%d", s.Versions[sla.JPBusiness])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestWireRoundTrips: policy cells and calendars survive JSON → domain → JSON, durations are
// read as Go durations or seconds, and malformed cells point at their field.
func TestWireRoundTrips(t *testing.T) {
	var d catalog.Duration
	for in, want := range map[string]time.Duration{`"1h30m"`: 90 * time.Minute, `5400`: 90 * time.Minute, `0.5`: 500 * time.Millisecond} {
		if err := json.Unmarshal([]byte(in), &d); err != nil || time.Duration(d) != want {
			t.Errorf("%s: %v %v", in, time.Duration(d), err)
		}
	}
	for _, bad := range []string{`"soon"`, `"1 hour"`, `true`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
	for _, p := range sla.DefaultPolicies() {
		wire := catalog.FromPolicy(p, time.Time{})
		b, err := json.Marshal(wire)
		if err != nil {
			t.Fatal(err)
		}
		var back catalog.PolicyVersion
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		for i, cell := range back.Cells {
			got, err := cell.ToCell("cells")
			if err != nil || !got.Equal(p.Cells[i]) {
				t.Fatalf("%s cell %d: %+v, want %+v (%v)", p.Tier, i, got, p.Cells[i], err)
			}
		}
	}
	for _, spec := range sla.DefaultCalendars() {
		wire := catalog.FromSpec(spec)
		b, _ := json.Marshal(wire)
		var back catalog.Calendar
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, err := back.ToSpec()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(catalog.FromSpec(got), wire) {
			t.Fatalf("%s: %+v, want %+v", spec.Name, catalog.FromSpec(got), wire)
		}
	}
	one := 1.0
	for _, c := range []struct {
		cell  catalog.Cell
		field string
	}{
		{catalog.Cell{Severity: 1, Target: "nope", None: true}, "cells[0].target"},
		{catalog.Cell{Severity: 1, Target: "first_response"}, "cells[0]"},
		{catalog.Cell{Severity: 1, Target: "first_response", Seconds: &one, None: true}, "cells[0]"},
		{catalog.Cell{Severity: 1, Target: "first_response", Duration: dur(-time.Second)}, "cells[0].duration"},
	} {
		_, err := c.cell.ToCell("cells[0]")
		fe, ok := err.(*sla.FieldError)
		if !ok || fe.Field != c.field {
			t.Errorf("%+v: %v, want a field error at %s", c.cell, err, c.field)
		}
	}
}

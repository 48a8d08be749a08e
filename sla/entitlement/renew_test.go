package entitlement

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestRenew(t *testing.T) {
	newEnd := at(2027, 4, 1, 0, 0)
	cases := []struct {
		name       string
		e          Entitlement
		start, end time.Time
		serial     string
		wantStart  time.Time
		wantSerial string
		aliases    []string
	}{
		{"on time, same serial", base(), end, newEnd, "", start, "EP-0001", nil},
		{"on time, new serial", base(), end, newEnd, "EP-0002", start, "EP-0002", []string{"EP-0001"}},
		{"same serial in other case", base(), end, newEnd, " ep-0001 ", start, "EP-0001", nil},
		{"second new serial", with(func(e *Entitlement) { e.SerialNumber = "EP-0002"; e.SerialAliases = []string{"EP-0001"} }),
			end, newEnd, "EP-0003", start, "EP-0003", []string{"EP-0001", "EP-0002"}},
		{"back to an earlier serial", with(func(e *Entitlement) { e.SerialNumber = "EP-0002"; e.SerialAliases = []string{"EP-0001"} }),
			end, newEnd, "ep-0001", start, "ep-0001", []string{"EP-0002"}},
		{"late, after a gap", base(), at(2026, 7, 1, 0, 0), at(2027, 7, 1, 0, 0), "", at(2026, 7, 1, 0, 0), "EP-0001", nil},
		{"licence without maintenance starts fresh", with(func(e *Entitlement) { e.LicenseType, e.Maintenance = Perpetual, false }),
			end, newEnd, "", end, "EP-0001", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.e.SerialNumber
			got, err := c.e.Renew(c.start, c.end, c.serial)
			if err != nil {
				t.Fatal(err)
			}
			if !got.StartsAt.Equal(c.wantStart) || !got.EndsAt.Equal(c.end) || got.SerialNumber != c.wantSerial || !slices.Equal(got.SerialAliases, c.aliases) {
				t.Fatalf("got start %v end %v serial %q aliases %v", got.StartsAt, got.EndsAt, got.SerialNumber, got.SerialAliases)
			}
			if !got.ProvidesSupport() {
				t.Fatal("a renewed entitlement must provide support")
			}
			if c.e.SerialNumber != before || !c.e.EndsAt.Equal(end) {
				t.Fatal("Renew modified its receiver")
			}
		})
	}
}

func TestRenewKeepsOldSerialFindable(t *testing.T) {
	old := base()
	old.SerialAliases = make([]string, 0, 4) // spare capacity must not leak the new alias into old
	renewed, err := old.Renew(end, at(2027, 4, 1, 0, 0), "EP-0002")
	if err != nil {
		t.Fatal(err)
	}
	if len(old.SerialAliases) != 0 || old.SerialNumber != "EP-0001" {
		t.Fatalf("receiver changed: %+v", old)
	}
	// In the new term, intake with either serial finds the renewed entitlement.
	for _, serial := range []string{"EP-0001", "ep-0002"} {
		d, err := Decide([]Entitlement{renewed}, Request{Product: "endpoint", SerialNumber: serial}, at(2026, 9, 1, 0, 0))
		if err != nil || d.InGrace {
			t.Fatalf("serial %s: %+v, %v", serial, d, err)
		}
	}
	// Renewed in advance, the current term still covers until the old end.
	if st := renewed.StateAt(end.Add(-ns)); st != StateActive {
		t.Fatalf("state before the old end: %s", st)
	}
}

func TestRenewErrors(t *testing.T) {
	cases := []struct {
		name       string
		start, end time.Time
		field      string
	}{
		{"under a year", end, at(2027, 4, 1, 0, 0).Add(-ns), "ends_at"},
		{"no start", time.Time{}, at(2027, 4, 1, 0, 0), "starts_at"},
		{"before the current start", start.Add(-ns), at(2027, 4, 1, 0, 0), "starts_at"},
		{"not after the current end", start, end, "ends_at"},
	}
	for _, c := range cases {
		_, err := base().Renew(c.start, c.end, "")
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: Renew = %v, want a FieldError on %s", c.name, err, c.field)
		}
	}
}

func TestExtendDoesNotShareBackingArray(t *testing.T) {
	e := base()
	e.Extensions = make([]Extension, 0, 4)
	a, err := e.Extend(at(2026, 4, 10, 0, 0), "a", id(9), end)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Extend(at(2026, 4, 20, 0, 0), "b", id(9), end)
	if err != nil {
		t.Fatal(err)
	}
	if a.Extensions[0].Reason != "a" || b.Extensions[0].Reason != "b" || len(e.Extensions) != 0 {
		t.Fatalf("shared extensions: %v %v %v", a.Extensions, b.Extensions, e.Extensions)
	}
}

func TestExtend(t *testing.T) {
	granted := at(2026, 3, 25, 10, 0)
	until := at(2026, 4, 15, 0, 0)
	cases := []struct {
		name   string
		until  time.Time
		reason string
		by     byte
		at     time.Time
		field  string // "" means accepted
	}{
		{"valid", until, " renewal PO in approval ", 9, granted, ""},
		{"1ns after the end", end.Add(ns), "r", 9, granted, ""},
		{"at the end", end, "r", 9, granted, "until"},
		{"granted after until", until, "r", 9, until, "until"},
		{"no reason", until, "  ", 9, granted, "reason"},
		{"no manager", until, "r", 0, granted, "granted_by"},
		{"no grant time", until, "r", 9, time.Time{}, "granted_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var by = id(c.by)
			if c.by == 0 {
				by = [16]byte{}
			}
			e := base()
			got, err := e.Extend(c.until, c.reason, by, c.at)
			if c.field != "" {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field != c.field {
					t.Fatalf("Extend = %v, want a FieldError on %s", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Extensions) != 0 || len(got.Extensions) != 1 {
				t.Fatalf("extensions: receiver %d, result %d", len(e.Extensions), len(got.Extensions))
			}
			x := got.Extensions[0]
			if !x.Until.Equal(c.until) || x.GrantedBy != by || !x.GrantedAt.Equal(c.at) || x.Reason == "" || x.Reason[0] == ' ' {
				t.Fatalf("extension %+v", x)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("extended entitlement invalid: %v", err)
			}
		})
	}
}

package entitlement

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

// addOn is a standard add-on of the base contract's organisation, 2025-10-01 → 2026-01-01 JST.
func addOn() Entitlement {
	e := base()
	e.ID, e.Product, e.Tier, e.SerialNumber = id(2), "mail-security", TierStandard, "MS-0001"
	e.ActivationCode, e.RegistrationKey, e.CreditRates = "", "", nil
	e.StartsAt, e.EndsAt = at(2025, 10, 1, 0, 0), at(2026, 1, 1, 0, 0)
	return e
}

func TestValidateAmongAcceptsAShortAddOnEndingWithAnother(t *testing.T) {
	// Six months ending with the base contract: an add-on, accepted.
	short := addOn()
	short.EndsAt = end
	if err := short.ValidateAmong([]Entitlement{base()}); err != nil {
		t.Fatalf("add-on ending with the base contract: %v", err)
	}
	// The same term alone, or ending on no other contract's date, is under the one-year minimum.
	for name, others := range map[string][]Entitlement{"alone": nil, "itself only": {short}, "other end": {addOn()}} {
		var fe *FieldError
		if err := short.ValidateAmong(others); !errors.As(err, &fe) || fe.Field != "ends_at" {
			t.Errorf("%s: %v, want ends_at", name, err)
		}
	}
	odd := addOn() // ends 2026-01-01, base ends 2026-04-01
	if err := odd.ValidateAmong([]Entitlement{base()}); err == nil {
		t.Fatal("a short term ending on no other contract's date was accepted")
	}
	if err := short.Validate(); err == nil {
		t.Fatal("Validate (no other contracts) accepted a six-month term")
	}
	backwards := addOn()
	backwards.EndsAt = backwards.StartsAt
	if err := backwards.ValidateAmong([]Entitlement{with(func(e *Entitlement) { e.EndsAt = backwards.StartsAt })}); err == nil {
		t.Fatal("an empty term was accepted")
	}
}

func TestCoTerm(t *testing.T) {
	third := base()
	third.ID, third.Product, third.StartsAt, third.EndsAt = id(3), "proxy", at(2024, 7, 1, 0, 0), at(2025, 7, 1, 0, 0)
	all := []Entitlement{base(), addOn(), third}

	// Align the add-on and the lapsed proxy contract to the base contract's end.
	ps, err := CoTerm(all, []uuid.UUID{id(1), id(2), id(3)}, end)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		unchanged, short bool
		start            time.Time
	}{
		{true, false, start},                 // base already ends then: its own year, untouched
		{false, true, at(2026, 1, 1, 0, 0)},  // add-on: 2026-01-01 → 2026-04-01, three months
		{false, false, at(2025, 7, 1, 0, 0)}, // proxy: 2025-07-01 → 2026-04-01, nine months…
	}
	want[2].short = true // …which is under a year too
	for i, w := range want {
		p := ps[i]
		if p.Unchanged != w.unchanged || p.ShorterThanYear != w.short || !p.StartsAt.Equal(w.start) || !p.EndsAt.Equal(end) || !p.Entitlement.EndsAt.Equal(end) {
			t.Errorf("period %d: %+v", i, p)
		}
	}
	if !ps[1].Entitlement.StartsAt.Equal(addOn().StartsAt) || !ps[1].PreviousEndsAt.Equal(addOn().EndsAt) {
		t.Errorf("add-on coverage must stay continuous from its start: %+v", ps[1])
	}
	if !all[1].EndsAt.Equal(addOn().EndsAt) {
		t.Fatal("CoTerm modified its input")
	}

	// Two contracts to a common date later than both: both renewed, periods under a year allowed.
	later := at(2026, 6, 1, 0, 0)
	ps, err = CoTerm(all, []uuid.UUID{id(2), id(1)}, later)
	if err != nil || len(ps) != 2 || ps[0].Entitlement.ID != id(2) || !ps[1].StartsAt.Equal(end) || !ps[1].ShorterThanYear {
		t.Fatalf("later date: %+v %v", ps, err)
	}

	errs := []struct {
		name  string
		ids   []uuid.UUID
		end   time.Time
		field string
	}{
		{"no contract", nil, end, "entitlement_ids"},
		{"foreign contract", []uuid.UUID{id(1), id(9)}, end, "entitlement_ids"},
		{"named twice", []uuid.UUID{id(2), id(2)}, end, "entitlement_ids"},
		{"no date", []uuid.UUID{id(2)}, time.Time{}, "ends_at"},
		{"shortens a contract", []uuid.UUID{id(1), id(2)}, at(2026, 2, 1, 0, 0), "ends_at"},
		{"one contract to a date no other ends on, under a year", []uuid.UUID{id(2)}, at(2026, 5, 1, 0, 0), "ends_at"},
	}
	for _, c := range errs {
		_, err := CoTerm(all, c.ids, c.end)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%s: %v, want a FieldError on %s", c.name, err, c.field)
		}
	}
	// One contract to a lone date a full year on is an ordinary renewal.
	if _, err := CoTerm(all, []uuid.UUID{id(2)}, at(2027, 1, 1, 0, 0)); err != nil {
		t.Fatalf("a full year: %v", err)
	}
}

package entitlement

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		e     Entitlement
		field string // "" means valid
		code  string // checked when not ""
	}{
		{"valid", base(), "", ""},
		{"exactly one calendar year", with(func(e *Entitlement) { e.EndsAt = start.AddDate(1, 0, 0) }), "", ""},
		{"one year less 1ns", with(func(e *Entitlement) { e.EndsAt = end.Add(-ns) }), "ends_at", CodeInvalidValue},
		// Feb 29 + 1 year normalises to Mar 1: 2029-02-28 is short of a year.
		{"leap day start, ends Feb 28", with(func(e *Entitlement) {
			e.StartsAt, e.EndsAt = at(2028, 2, 29, 0, 0), at(2029, 2, 28, 0, 0)
		}), "ends_at", ""},
		{"leap day start, ends Mar 1", with(func(e *Entitlement) {
			e.StartsAt, e.EndsAt = at(2028, 2, 29, 0, 0), at(2029, 3, 1, 0, 0)
		}), "", ""},
		// 2028 has 366 days; a calendar year is still enough.
		{"leap year, 366 days", with(func(e *Entitlement) {
			e.StartsAt, e.EndsAt = at(2028, 1, 1, 0, 0), at(2029, 1, 1, 0, 0)
		}), "", ""},
		{"end before start", with(func(e *Entitlement) { e.EndsAt = start.Add(-time.Hour) }), "ends_at", ""},
		{"no start", with(func(e *Entitlement) { e.StartsAt = time.Time{} }), "starts_at", ""},
		{"no end", with(func(e *Entitlement) { e.EndsAt = time.Time{} }), "ends_at", ""},
		{"no product", with(func(e *Entitlement) { e.Product = "  " }), "product", ""},
		{"product too long", with(func(e *Entitlement) { e.Product = strings.Repeat("x", 201) }), "product", ""},
		{"unknown tier", with(func(e *Entitlement) { e.Tier = "gold" }), "tier", ""},
		{"tier in capitals", with(func(e *Entitlement) { e.Tier = "Premium" }), "tier", ""},
		{"unknown licence type", with(func(e *Entitlement) { e.LicenseType = "trial" }), "license_type", ""},
		{"negative seats", with(func(e *Entitlement) { e.Seats = -1 }), "seats", ""},
		{"zero seats: not seat-based", with(func(e *Entitlement) { e.Seats = 0 }), "", ""},
		{"malformed activation code", with(func(e *Entitlement) { e.ActivationCode = "ABC" }), "activation_code", CodeInvalidActivationCode},
		{"no activation code", with(func(e *Entitlement) { e.ActivationCode = "" }), "", ""},
		{"malformed registration key", with(func(e *Entitlement) { e.RegistrationKey = "AB-12CD" }), "registration_key", CodeInvalidRegistrationKey},
		{"negative grace", with(func(e *Entitlement) { e.Grace.Days = -1 }), "grace_policy.days", ""},
		{"grace over a year", with(func(e *Entitlement) { e.Grace.Days = 366 }), "grace_policy.days", ""},
		{"unknown grace intake", with(func(e *Entitlement) { e.Grace.Intake = "maybe" }), "grace_policy.intake", ""},
		{"empty grace intake means reject", with(func(e *Entitlement) { e.Grace.Intake = "" }), "", ""},
		{"unlimited renewal window", with(func(e *Entitlement) { e.RenewalWindowDays = RenewalWindowUnlimited }), "", ""},
		{"negative renewal window", with(func(e *Entitlement) { e.RenewalWindowDays = -2 }), "renewal_window_days", ""},
		{"credit for severity 5", with(func(e *Entitlement) { e.CreditRates = map[int]float64{5: 1} }), "credit_rates", ""},
		{"negative credit", with(func(e *Entitlement) { e.CreditRates = map[int]float64{1: -1} }), "credit_rates", ""},
		{"NaN credit", with(func(e *Entitlement) { e.CreditRates = map[int]float64{1: math.NaN()} }), "credit_rates", ""},
		{"credits on standard are accepted (and never used)", with(func(e *Entitlement) { e.Tier = TierStandard }), "", ""},
		{"standard without credits", with(func(e *Entitlement) { e.Tier = TierStandard; e.CreditRates = nil }), "", ""},
		{"extension without reason", with(func(e *Entitlement) {
			e.Extensions = []Extension{{Until: end.Add(time.Hour), GrantedBy: id(9), GrantedAt: end}}
		}), "extensions[0].reason", ""},
		{"extension ending at the end", with(func(e *Entitlement) {
			e.Extensions = []Extension{{Until: end, Reason: "r", GrantedBy: id(9), GrantedAt: start}}
		}), "extensions[0].until", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.e.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want a FieldError on %s", err, c.field)
			}
			if c.code != "" && fe.Code != c.code {
				t.Fatalf("code = %s, want %s", fe.Code, c.code)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	in := with(func(e *Entitlement) {
		e.Product = " endpoint "
		e.SerialNumber = " EP-0001 "
		e.SerialAliases = []string{" old ", " "}
		e.ActivationCode = strings.ToLower(code1)
		e.RegistrationKey = "ab-12cd-34ef-56gh-78ij"
	})
	got, err := in.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	if got.Product != "endpoint" || got.SerialNumber != "EP-0001" || got.ActivationCode != canon1 ||
		got.RegistrationKey != key1 || len(got.SerialAliases) != 1 || got.SerialAliases[0] != "old" {
		t.Fatalf("Normalize = %+v", got)
	}
	if in.SerialAliases[0] != " old " {
		t.Fatal("Normalize modified its receiver's aliases")
	}
	if _, err := with(func(e *Entitlement) { e.Seats = -1 }).Normalize(); err == nil {
		t.Fatal("Normalize accepted negative seats")
	}
}

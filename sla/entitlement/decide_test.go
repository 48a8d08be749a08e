package entitlement

import (
	"errors"
	"testing"
	"time"
)

// ent builds an entitlement of base with the given id, product and tier.
func ent(n byte, product, tier string, f func(*Entitlement)) Entitlement {
	return with(func(e *Entitlement) {
		e.ID, e.Product, e.Tier = id(n), product, tier
		e.SerialNumber, e.ActivationCode, e.RegistrationKey = "", "", ""
		if f != nil {
			f(e)
		}
	})
}

func TestDecideAccepted(t *testing.T) {
	mid := at(2025, 10, 1, 12, 0)
	graceNow := at(2026, 4, 10, 0, 0) // end + 9 days
	expiredNow := at(2026, 5, 10, 0, 0)

	endLater := func(e *Entitlement) { e.EndsAt = at(2026, 10, 1, 0, 0) }
	inGraceReject := func(e *Entitlement) { e.Grace.Intake = GraceReject }
	newTerm := func(e *Entitlement) { e.StartsAt, e.EndsAt = end, at(2027, 4, 1, 0, 0) }

	cases := []struct {
		name    string
		ents    []Entitlement
		req     Request
		now     time.Time
		wantID  byte
		tier    string
		inGrace bool
	}{
		{"single active", []Entitlement{ent(1, "endpoint", TierPremium, nil)}, Request{Product: "endpoint"}, mid, 1, TierPremium, false},
		{"product case and spaces", []Entitlement{ent(1, "Endpoint", TierPremium, nil)}, Request{Product: " ENDPOINT "}, mid, 1, TierPremium, false},
		{"at the instant of start", []Entitlement{ent(1, "endpoint", TierPremium, nil)}, Request{Product: "endpoint"}, start, 1, TierPremium, false},
		{"1ns before end", []Entitlement{ent(1, "endpoint", TierPremium, nil)}, Request{Product: "endpoint"}, end.Add(-ns), 1, TierPremium, false},
		{"grace accept at end", []Entitlement{ent(1, "endpoint", TierPremium, nil)}, Request{Product: "endpoint"}, end, 1, TierPremium, true},
		{"perpetual with maintenance", []Entitlement{ent(1, "endpoint", TierStandard, func(e *Entitlement) {
			e.LicenseType, e.Maintenance, e.CreditRates = Perpetual, true, nil
		})}, Request{Product: "endpoint"}, mid, 1, TierStandard, false},
		{"highest tier wins", []Entitlement{
			ent(1, "endpoint", TierStandard, func(e *Entitlement) { e.CreditRates = nil }),
			ent(2, "endpoint", TierPlatinum, nil),
			ent(3, "endpoint", TierPremium, nil),
		}, Request{Product: "endpoint"}, mid, 2, TierPlatinum, false},
		{"equal tier: the later end wins", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierPlatinum, endLater),
		}, Request{Product: "endpoint"}, mid, 2, TierPlatinum, false},
		{"add-on product takes its own tier", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "edr", TierStandard, func(e *Entitlement) { e.CreditRates = nil }),
		}, Request{Product: "EDR"}, mid, 2, TierStandard, false},
		{"base product beside an add-on", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "edr", TierStandard, func(e *Entitlement) { e.CreditRates = nil }),
		}, Request{Product: "endpoint"}, mid, 1, TierPlatinum, false},
		{"expired platinum is skipped for an active standard", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierStandard, func(e *Entitlement) { e.CreditRates = nil; e.EndsAt = at(2027, 4, 1, 0, 0) }),
		}, Request{Product: "endpoint"}, expiredNow, 2, TierStandard, false},
		{"platinum in reject-grace is skipped", []Entitlement{
			ent(1, "endpoint", TierPlatinum, inGraceReject),
			ent(2, "endpoint", TierStandard, func(e *Entitlement) { e.CreditRates = nil; e.EndsAt = at(2027, 4, 1, 0, 0) }),
		}, Request{Product: "endpoint"}, graceNow, 2, TierStandard, false},
		// The grace policy says the vendor still honours the contract, so
		// its tier still counts.
		{"platinum in accept-grace beats an active standard", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierStandard, func(e *Entitlement) { e.CreditRates = nil; e.EndsAt = at(2027, 4, 1, 0, 0) }),
		}, Request{Product: "endpoint"}, graceNow, 1, TierPlatinum, true},
		{"renewal stored as a new record: active beats grace", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierPlatinum, newTerm),
		}, Request{Product: "endpoint"}, graceNow, 2, TierPlatinum, false},
		{"serial names the lower tier", []Entitlement{
			ent(1, "endpoint", TierPlatinum, func(e *Entitlement) { e.SerialNumber = "P-1" }),
			ent(2, "endpoint", TierPremium, func(e *Entitlement) { e.SerialNumber = "Q-2" }),
		}, Request{Product: "endpoint", SerialNumber: " q-2 "}, mid, 2, TierPremium, false},
		{"activation code, other hyphens and case", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierPremium, func(e *Entitlement) { e.ActivationCode = code1 }),
		}, Request{Product: "endpoint", ActivationCode: "pxabcd-12345efghi-67890jklmnp2q3r"}, mid, 2, TierPremium, false},
		{"registration key, lower case", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierPremium, func(e *Entitlement) { e.RegistrationKey = key1 }),
		}, Request{Product: "endpoint", RegistrationKey: "ab-12cd-34ef-56gh-78ij"}, mid, 2, TierPremium, false},
		{"serial shared by base and add-on: product decides", []Entitlement{
			ent(1, "endpoint", TierPlatinum, func(e *Entitlement) { e.SerialNumber = "S-1" }),
			ent(2, "edr", TierPremium, func(e *Entitlement) { e.SerialNumber = "S-1" }),
		}, Request{Product: "edr", SerialNumber: "S-1"}, mid, 2, TierPremium, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decide(c.ents, c.req, c.now)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if d.Entitlement.ID != id(c.wantID) || d.Tier != c.tier || d.InGrace != c.inGrace {
				t.Fatalf("got entitlement %v tier %s in grace %v; want %v %s %v", d.Entitlement.ID, d.Tier, d.InGrace, id(c.wantID), c.tier, c.inGrace)
			}
			if c.inGrace != (d.State == StateGrace) || c.inGrace != !d.GraceEndsAt.IsZero() || c.inGrace != (d.Warning != "") {
				t.Fatalf("grace fields inconsistent: %+v", d)
			}
		})
	}
}

func TestDecideGraceWarning(t *testing.T) {
	d, err := Decide([]Entitlement{base()}, Request{Product: "endpoint"}, end)
	if err != nil {
		t.Fatal(err)
	}
	want := "Your subscription for endpoint ended on 2026-03-31. Support continues during the grace period until 2026-04-30. " +
		"It can still be renewed until 2026-06-29; a reinstatement fee applies."
	if d.Warning != want {
		t.Fatalf("warning\n got %q\nwant %q", d.Warning, want)
	}
	if !d.GraceEndsAt.Equal(at(2026, 5, 1, 0, 0)) || !d.Renewal.ReinstatementFee {
		t.Fatalf("decision %+v", d)
	}
}

func TestDecideExtension(t *testing.T) {
	until := at(2026, 4, 15, 0, 0)
	e, err := with(func(e *Entitlement) { e.Grace = GracePolicy{} }).Extend(until, "renewal PO in approval", id(9), at(2026, 3, 30, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decide([]Entitlement{e}, Request{Product: "endpoint"}, at(2026, 4, 2, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := "Your subscription for endpoint ended on 2026-03-31; a temporary extension keeps support until 2026-04-14 while the renewal is processed."
	if d.InGrace || d.State != StateActive || !d.ExtendedUntil.Equal(until) || d.Warning != want {
		t.Fatalf("decision %+v", d)
	}
	if _, err := Decide([]Entitlement{e}, Request{Product: "endpoint"}, until); !isRejection(err, CodeEntitlementExpired) {
		t.Fatalf("at until: %v, want entitlement_expired", err)
	}
}

func isRejection(err error, code string) bool {
	var r *Rejection
	return errors.As(err, &r) && r.Code == code && errors.Is(err, ErrRejected)
}

func TestDecideRejected(t *testing.T) {
	mid := at(2025, 10, 1, 12, 0)
	afterGrace := at(2026, 5, 10, 0, 0)
	perpetualOnly := func(e *Entitlement) { e.LicenseType, e.Maintenance = Perpetual, false }
	future := func(e *Entitlement) { e.StartsAt, e.EndsAt = at(2026, 6, 1, 0, 0), at(2027, 6, 1, 0, 0) }
	endedEarlier := func(e *Entitlement) { e.StartsAt, e.EndsAt = at(2024, 4, 1, 0, 0), at(2025, 4, 1, 0, 0) }

	cases := []struct {
		name   string
		ents   []Entitlement
		req    Request
		now    time.Time
		code   string
		wantID byte // 0: Rejection.Entitlement must be nil
	}{
		{"organisation has none", nil, Request{Product: "endpoint"}, mid, CodeNoEntitlement, 0},
		{"only other products", []Entitlement{ent(1, "mail", TierPremium, nil)}, Request{Product: "endpoint"}, mid, CodeProductNotCovered, 0},
		{"1ns before start", []Entitlement{ent(1, "endpoint", TierPremium, nil)}, Request{Product: "endpoint"}, start.Add(-ns), CodeEntitlementNotStarted, 1},
		{"grace reject at end", []Entitlement{ent(1, "endpoint", TierPremium, func(e *Entitlement) { e.Grace.Intake = GraceReject })}, Request{Product: "endpoint"}, end, CodeEntitlementExpired, 1},
		{"empty intake means reject", []Entitlement{ent(1, "endpoint", TierPremium, func(e *Entitlement) { e.Grace.Intake = "" })}, Request{Product: "endpoint"}, end, CodeEntitlementExpired, 1},
		{"no grace at end", []Entitlement{ent(1, "endpoint", TierPremium, func(e *Entitlement) { e.Grace = GracePolicy{} })}, Request{Product: "endpoint"}, end, CodeEntitlementExpired, 1},
		{"grace accept at grace end", []Entitlement{ent(1, "endpoint", TierPremium, nil)}, Request{Product: "endpoint"}, at(2026, 5, 1, 0, 0), CodeEntitlementExpired, 1},
		{"perpetual without maintenance", []Entitlement{ent(1, "endpoint", TierStandard, perpetualOnly)}, Request{Product: "endpoint"}, mid, CodePerpetualWithoutMaintenance, 1},
		{"not started beats expired", []Entitlement{
			ent(1, "endpoint", TierPlatinum, nil),
			ent(2, "endpoint", TierPremium, future),
		}, Request{Product: "endpoint"}, afterGrace, CodeEntitlementNotStarted, 2},
		{"expired beats perpetual without maintenance", []Entitlement{
			ent(1, "endpoint", TierPlatinum, perpetualOnly),
			ent(2, "endpoint", TierStandard, func(e *Entitlement) { e.CreditRates = nil }),
		}, Request{Product: "endpoint"}, afterGrace, CodeEntitlementExpired, 2},
		{"of two expired, the latest end", []Entitlement{
			ent(1, "endpoint", TierPlatinum, endedEarlier),
			ent(2, "endpoint", TierStandard, func(e *Entitlement) { e.CreditRates = nil }),
		}, Request{Product: "endpoint"}, afterGrace, CodeEntitlementExpired, 2},
		{"unknown serial", []Entitlement{ent(1, "endpoint", TierPremium, func(e *Entitlement) { e.SerialNumber = "S-1" })}, Request{Product: "endpoint", SerialNumber: "S-9"}, mid, CodeNoEntitlement, 0},
		{"serial of another product", []Entitlement{
			ent(1, "endpoint", TierPremium, nil),
			ent(2, "mail", TierPremium, func(e *Entitlement) { e.SerialNumber = "M-1" }),
		}, Request{Product: "endpoint", SerialNumber: "M-1"}, mid, CodeProductNotCovered, 2},
		{"named expired one, though another is active", []Entitlement{
			ent(1, "endpoint", TierPremium, func(e *Entitlement) { e.EndsAt = at(2027, 4, 1, 0, 0) }),
			ent(2, "endpoint", TierPremium, func(e *Entitlement) { e.ActivationCode = code1 }),
		}, Request{Product: "endpoint", ActivationCode: code1}, afterGrace, CodeEntitlementExpired, 2},
		{"serial and code of different entitlements", []Entitlement{
			ent(1, "endpoint", TierPremium, func(e *Entitlement) { e.SerialNumber = "S-1" }),
			ent(2, "endpoint", TierPremium, func(e *Entitlement) { e.ActivationCode = code1 }),
		}, Request{Product: "endpoint", SerialNumber: "S-1", ActivationCode: code1}, mid, CodeNoEntitlement, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(c.ents, c.req, c.now)
			var r *Rejection
			if !errors.As(err, &r) || r.Code != c.code || !errors.Is(err, ErrRejected) {
				t.Fatalf("Decide = %v, want rejection %s", err, c.code)
			}
			if c.wantID == 0 && r.Entitlement != nil || c.wantID != 0 && (r.Entitlement == nil || r.Entitlement.ID != id(c.wantID)) {
				t.Fatalf("rejection about %+v, want id %d", r.Entitlement, c.wantID)
			}
			if r.Message == "" {
				t.Fatal("empty message")
			}
			switch c.code {
			case CodeEntitlementExpired:
				if r.Renewal == nil || r.EndedAt == nil || !r.EndedAt.Equal(r.Entitlement.EndsAt) || r.StartsAt != nil {
					t.Fatalf("expired details %+v", r)
				}
			case CodeEntitlementNotStarted:
				if r.StartsAt == nil || !r.StartsAt.Equal(r.Entitlement.StartsAt) || r.Renewal != nil || r.EndedAt != nil {
					t.Fatalf("not-started details %+v", r)
				}
			default:
				if r.Renewal != nil || r.EndedAt != nil || r.StartsAt != nil {
					t.Fatalf("unexpected details %+v", r)
				}
			}
		})
	}
}

// The example of the brief, worked by hand: the contract ends at
// 2026-04-01 00:00 JST (last day 2026-03-31), no grace, a 90-day window
// closes at 2026-06-30 00:00 JST (last day 2026-06-29).
func TestDecideExpiredMessage(t *testing.T) {
	e := with(func(e *Entitlement) {
		e.LicenseType, e.Maintenance, e.Grace = Perpetual, true, GracePolicy{}
	})
	cases := []struct {
		name string
		now  time.Time
		msg  string
		fee  bool
		buy  bool
	}{
		{"at end", end, "Your maintenance for endpoint ended on 2026-03-31. It can still be renewed until 2026-06-29; a reinstatement fee applies.", true, false},
		{"1ns before the window closes", at(2026, 6, 30, 0, 0).Add(-ns), "Your maintenance for endpoint ended on 2026-03-31. It can still be renewed until 2026-06-29; a reinstatement fee applies.", true, false},
		{"window closed", at(2026, 6, 30, 0, 0), "Your maintenance for endpoint ended on 2026-03-31. It could be renewed until 2026-06-29; a new purchase is needed now.", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide([]Entitlement{e}, Request{Product: "endpoint"}, c.now)
			var r *Rejection
			if !errors.As(err, &r) || r.Code != CodeEntitlementExpired {
				t.Fatalf("Decide = %v", err)
			}
			if r.Message != c.msg {
				t.Fatalf("message\n got %q\nwant %q", r.Message, c.msg)
			}
			if r.Renewal.ReinstatementFee != c.fee || r.Renewal.NewPurchaseRequired != c.buy || r.Renewal.Renewable == c.buy ||
				!r.Renewal.RenewableUntil.Equal(at(2026, 6, 30, 0, 0)) {
				t.Fatalf("renewal facts %+v", r.Renewal)
			}
		})
	}
}

func TestDecideInputErrors(t *testing.T) {
	cases := []struct {
		name  string
		ents  []Entitlement
		req   Request
		code  string
		field string
	}{
		{"no product", []Entitlement{base()}, Request{Product: " "}, CodeInvalidValue, "product"},
		{"malformed activation code", []Entitlement{base()}, Request{Product: "endpoint", ActivationCode: "PX-ABCD-12345"}, CodeInvalidActivationCode, "activation_code"},
		// Checked before the organisation's entitlements: a typo is a typo
		// even for an organisation without any.
		{"malformed code, no entitlements", nil, Request{Product: "endpoint", ActivationCode: "PX-ABCD-12345"}, CodeInvalidActivationCode, "activation_code"},
		{"malformed registration key", []Entitlement{base()}, Request{Product: "endpoint", RegistrationKey: "AB-12CD-34EF-56GH-78I"}, CodeInvalidRegistrationKey, "registration_key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(c.ents, c.req, end)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Code != c.code || fe.Field != c.field || errors.Is(err, ErrRejected) {
				t.Fatalf("Decide = %v, want %s on %s", err, c.code, c.field)
			}
		})
	}
	// A well-formed code whose entitlement expired is not a format error.
	expiredNow := at(2026, 5, 10, 0, 0)
	if _, err := Decide([]Entitlement{base()}, Request{Product: "endpoint", ActivationCode: code1}, expiredNow); !isRejection(err, CodeEntitlementExpired) {
		t.Fatalf("expired code: %v", err)
	}
}

func TestDecideProductNotCoveredMessage(t *testing.T) {
	ents := []Entitlement{ent(1, "mail", TierPremium, nil), ent(2, "Endpoint", TierPremium, nil), ent(3, "MAIL", TierPremium, nil)}
	_, err := Decide(ents, Request{Product: "edr"}, at(2025, 10, 1, 0, 0))
	var r *Rejection
	if !errors.As(err, &r) {
		t.Fatal(err)
	}
	want := "Your organisation has no maintenance contract or subscription for edr (it has: Endpoint, mail). Check the product name, or contact your sales representative to add it."
	if r.Message != want {
		t.Fatalf("message\n got %q\nwant %q", r.Message, want)
	}
}

package entitlement

import (
	"errors"
	"testing"
	"time"
)

// Every rejection message, worked by hand, so wording changes are deliberate.
func TestRejectionMessages(t *testing.T) {
	utcStart := func(e *Entitlement) {
		e.StartsAt, e.EndsAt = time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC), time.Date(2027, 6, 1, 9, 30, 0, 0, time.UTC)
	}
	cases := []struct {
		name string
		ents []Entitlement
		req  Request
		now  time.Time
		want string
	}{
		{"none at all", nil, Request{Product: "endpoint"}, end,
			"Your organisation has no maintenance contract or subscription on record. Contact your sales representative to purchase one, or ask your administrator to have it registered."},
		{"unknown identifiers", []Entitlement{base()}, Request{Product: "endpoint", SerialNumber: "X-1", RegistrationKey: "zz-0000-0000-0000-0000"}, end,
			`No maintenance contract or subscription of your organisation matches serial number "X-1" and registration key ZZ-0000-0000-0000-0000. Check the identifier on your licence certificate, or leave it empty.`},
		{"identifier of another product", []Entitlement{base()}, Request{Product: "mail", ActivationCode: code1}, end,
			"The activation code PXABCD12345EFGHI67890JKLMNP2Q3R you entered belongs to your entitlement for endpoint, not for mail. Choose that product, or leave the identifier empty."},
		{"not started, midnight", []Entitlement{base()}, Request{Product: "endpoint"}, start.Add(-ns),
			"Your subscription for endpoint starts on 2025-04-01; support can be requested from then."},
		{"not started, with a time", []Entitlement{with(utcStart)}, Request{Product: "endpoint"}, end,
			"Your subscription for endpoint starts on 2026-06-01 09:30 UTC; support can be requested from then."},
		{"expired, unlimited window, no fee", []Entitlement{with(func(e *Entitlement) {
			e.RenewalWindowDays, e.ReinstatementFee, e.Grace = RenewalWindowUnlimited, false, GracePolicy{}
		})}, Request{Product: "endpoint"}, at(2030, 1, 1, 0, 0),
			"Your subscription for endpoint ended on 2026-03-31. It can still be renewed."},
		{"perpetual without maintenance", []Entitlement{with(func(e *Entitlement) { e.LicenseType = Perpetual })}, Request{Product: "endpoint"}, start,
			"Your perpetual licence for endpoint has no maintenance contract, which technical support requires. Contact your sales representative to purchase maintenance."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(c.ents, c.req, c.now)
			var r *Rejection
			if !errors.As(err, &r) {
				t.Fatalf("Decide = %v", err)
			}
			if r.Message != c.want {
				t.Fatalf("message\n got %q\nwant %q", r.Message, c.want)
			}
			if r.Error() != r.Code+": "+r.Message {
				t.Fatalf("Error() = %q", r.Error())
			}
		})
	}
}

// Ties within one rejection code.
func TestRejectionTieBreaks(t *testing.T) {
	startsAt := func(y int) func(*Entitlement) {
		return func(e *Entitlement) { e.StartsAt, e.EndsAt = at(y, 4, 1, 0, 0), at(y+1, 4, 1, 0, 0) }
	}
	perpetualOnly := func(e *Entitlement) { e.LicenseType, e.Maintenance, e.CreditRates = Perpetual, false, nil }
	cases := []struct {
		name   string
		ents   []Entitlement
		wantID byte
	}{
		{"not started: the earliest start", []Entitlement{
			ent(1, "endpoint", TierPlatinum, startsAt(2028)), ent(2, "endpoint", TierStandard, func(e *Entitlement) { startsAt(2027)(e); e.CreditRates = nil }),
		}, 2},
		{"not started, same start: higher tier", []Entitlement{
			ent(1, "endpoint", TierPremium, startsAt(2027)), ent(2, "endpoint", TierPlatinum, startsAt(2027)),
		}, 2},
		{"expired, same end: higher tier", []Entitlement{
			ent(1, "endpoint", TierPremium, startsAt(2023)), ent(2, "endpoint", TierPlatinum, startsAt(2023)),
		}, 2},
		{"perpetual: higher tier", []Entitlement{
			ent(1, "endpoint", TierPremium, perpetualOnly), ent(2, "endpoint", TierStandard, perpetualOnly),
		}, 1},
		{"perpetual, same tier: later end", []Entitlement{
			ent(1, "endpoint", TierStandard, perpetualOnly), ent(2, "endpoint", TierStandard, func(e *Entitlement) { perpetualOnly(e); e.EndsAt = at(2027, 1, 1, 0, 0) }),
		}, 2},
	}
	now := at(2026, 1, 1, 0, 0)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(c.ents, Request{Product: "endpoint"}, now)
			var r *Rejection
			if !errors.As(err, &r) || r.Entitlement == nil || r.Entitlement.ID != id(c.wantID) {
				t.Fatalf("Decide = %v about %+v, want id %d", err, r, c.wantID)
			}
		})
	}
}

func TestFieldErrorString(t *testing.T) {
	err := with(func(e *Entitlement) { e.Seats = -3 }).Validate()
	if err == nil || err.Error() != "seats: must not be negative" {
		t.Fatalf("Error() = %v", err)
	}
}

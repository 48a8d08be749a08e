package entitlement

import (
	"time"

	"github.com/google/uuid"
)

// jst is a named fixed zone: Japan has no daylight saving, so a day is
// always 24h there and hand-worked dates stay simple.
var jst = time.FixedZone("JST", 9*60*60)

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, jst) }

var (
	start = at(2025, 4, 1, 0, 0) // term 2025-04-01 – 2026-03-31 inclusive
	end   = at(2026, 4, 1, 0, 0)
	ns    = time.Nanosecond
)

const (
	code1  = "PX-ABCD-12345-EFGHI-67890-JKLMN-P2Q3R" // 2+4+5×5 = 31
	canon1 = "PXABCD12345EFGHI67890JKLMNP2Q3R"
	key1   = "AB-12CD-34EF-56GH-78IJ"
)

// base is a premium subscription for endpoint, 2025-04-01 → 2026-04-01
// JST, 30 days of grace with intake accept, renewal possible 90 days after
// the end, with a reinstatement fee.
func base() Entitlement {
	return Entitlement{
		ID:                uuid.MustParse("00000000-0000-0000-0000-000000000001"),
		OrganizationID:    uuid.MustParse("00000000-0000-0000-0000-0000000000aa"),
		Product:           "endpoint",
		Tier:              TierPremium,
		LicenseType:       Subscription,
		StartsAt:          start,
		EndsAt:            end,
		Seats:             250,
		SerialNumber:      "EP-0001",
		ActivationCode:    code1,
		RegistrationKey:   key1,
		Grace:             GracePolicy{Days: 30, Intake: GraceAccept},
		RenewalWindowDays: 90,
		ReinstatementFee:  true,
		CreditRates:       map[int]float64{1: 10, 2: 5, 3: 1, 4: 1},
	}
}

// with returns base changed by f.
func with(f func(*Entitlement)) Entitlement {
	e := base()
	f(&e)
	return e
}

func id(n byte) uuid.UUID {
	var u uuid.UUID
	u[15] = n
	return u
}

func ptr[T any](v T) *T { return &v }

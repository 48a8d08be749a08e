package entitlement

import "time"

// day is the unit of every "N days" in this package: absolute time, so a
// daylight-saving change does not move a deadline by an hour in one zone
// and not in another.
const day = 24 * time.Hour

func days(n int) time.Duration { return time.Duration(n) * day }

// State is an entitlement's state at an instant. It is always computed from
// the clock, never stored, so it cannot go stale.
type State string

const (
	StateNotStarted State = "not_started" // now < StartsAt
	StateActive     State = "active"      // StartsAt ≤ now < EndsAt, or an extension covers now
	StateGrace      State = "grace"       // EndsAt ≤ now < GraceEndsAt, no extension covering now
	StateExpired    State = "expired"     // now ≥ GraceEndsAt, no extension covering now
)

// StateAt returns the state at now. The boundaries are exact: at StartsAt
// the entitlement is active; at EndsAt it is in grace, or expired when the
// grace period is 0 days; at GraceEndsAt it is expired. A temporary
// extension makes it active from EndsAt until the extension's Until
// (exclusive), but only from the extension's GrantedAt on.
//
// StateAt looks at dates only: a perpetual licence without maintenance can
// be "active" and still give no support (see ProvidesSupport).
func (e Entitlement) StateAt(now time.Time) State {
	switch {
	case now.Before(e.StartsAt):
		return StateNotStarted
	case now.Before(e.EndsAt):
		return StateActive
	case !e.ExtendedUntil(now).IsZero():
		return StateActive
	case now.Before(e.GraceEndsAt()):
		return StateGrace
	}
	return StateExpired
}

// ExtendedUntil returns the latest Until of the extensions that cover now
// (granted at or before now, EndsAt ≤ now < Until), or the zero time when
// none does. Before EndsAt it is always zero: the contract itself covers.
func (e Entitlement) ExtendedUntil(now time.Time) time.Time {
	var until time.Time
	if now.Before(e.EndsAt) {
		return until
	}
	for _, x := range e.Extensions {
		if !now.Before(x.GrantedAt) && now.Before(x.Until) && x.Until.After(until) {
			until = x.Until
		}
	}
	return until
}

// GraceEndsAt returns EndsAt + Grace.Days × 24h: the first instant that is
// no longer in grace. With 0 grace days it equals EndsAt.
func (e Entitlement) GraceEndsAt() time.Time { return e.EndsAt.Add(days(e.Grace.Days)) }

// DaysLeft returns the days from now until EndsAt, rounded up to a whole
// number of 24-hour days: while the contract runs it is at least 1 (a last
// partial day counts as a day left), from EndsAt until 24h after it is 0,
// and n whole days after the end it is −n. Extensions and grace do not
// count: it measures the contract itself.
func (e Entitlement) DaysLeft(now time.Time) int {
	d := e.EndsAt.Sub(now)
	n := int(d / day) // truncates toward zero: already the ceiling when d ≤ 0
	if d > 0 && d%day != 0 {
		n++
	}
	return n
}

// RenewalFacts tell a customer whether and how a contract can be renewed.
type RenewalFacts struct {
	// Renewable: renewal is still possible (before EndsAt + the window).
	Renewable bool
	// RenewableUntil is the first instant at which renewal is no longer
	// possible (EndsAt + RenewalWindowDays × 24h); zero when the window is
	// unlimited.
	RenewableUntil time.Time
	// ReinstatementFee: renewing now is late (at or after EndsAt, within
	// the window) and the contract charges a fee for that.
	ReinstatementFee bool
	// NewPurchaseRequired: the window has closed; only a new purchase
	// restores support.
	NewPurchaseRequired bool
}

// Renewal returns the renewal facts at now. The window is half-open like
// everything else: at exactly RenewableUntil renewal is no longer possible.
// Extensions do not change them: an extension bridges support while a
// renewal is processed, it does not move the contract's end.
func (e Entitlement) Renewal(now time.Time) RenewalFacts {
	var f RenewalFacts
	if e.RenewalWindowDays == RenewalWindowUnlimited {
		f.Renewable = true
	} else {
		f.RenewableUntil = e.EndsAt.Add(days(e.RenewalWindowDays))
		f.Renewable = now.Before(f.RenewableUntil)
	}
	f.NewPurchaseRequired = !f.Renewable
	f.ReinstatementFee = f.Renewable && e.ReinstatementFee && !now.Before(e.EndsAt)
	return f
}

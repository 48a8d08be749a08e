package entitlement

import (
	"strings"
	"time"
)

// Request is what a customer gives at intake. Product is required; the
// identifiers are optional and name one entitlement when the organisation
// has several.
type Request struct {
	Product         string
	SerialNumber    string
	ActivationCode  string
	RegistrationKey string
}

// Decision is an accepted intake.
type Decision struct {
	// Entitlement is the one chosen; the incident takes its Tier.
	Entitlement Entitlement
	Tier        string
	// State is StateActive or StateGrace.
	State State
	// InGrace: accepted under a grace policy with intake accept; the
	// incident is flagged and GraceEndsAt says until when.
	InGrace     bool
	GraceEndsAt time.Time
	// ExtendedUntil is set when only a temporary extension makes the
	// entitlement active.
	ExtendedUntil time.Time
	Renewal       RenewalFacts
	// Warning is for the customer when support rests on grace or an
	// extension; empty otherwise.
	Warning string
}

// Decide chooses the entitlement for an intake at now. ents must be the
// organisation's entitlements (Decide does not look at OrganizationID).
//
// Choice: identifiers in req restrict the candidates to the entitlements
// that match every identifier given (a serial also matches SerialAliases);
// then only those for req.Product (case-insensitive) count. Among those that
// accept an intake now (active, or in grace with intake accept, and able to
// carry support) the highest tier wins; on equal tier an active one beats
// one in grace, then the later EndsAt wins, then the earlier in ents.
//
// Errors:
//   - *FieldError: product empty (CodeInvalidValue), malformed activation
//     code (CodeInvalidActivationCode) or registration key
//     (CodeInvalidRegistrationKey) — checked before any entitlement, so a
//     typo is never reported as an expired contract.
//   - *Rejection with CodeNoEntitlement: the organisation has no
//     entitlement, or the identifiers match none of them.
//   - *Rejection with CodeProductNotCovered: none of the (named)
//     entitlements is for the product.
//   - otherwise, when no candidate accepts, the most useful explanation
//     among the candidates, in this priority:
//     1. CodeEntitlementNotStarted (earliest start first): a future-dated
//     contract is usually the renewal already bought, and telling that
//     customer to renew the lapsed one would be wrong; they need the date
//     support begins.
//     2. CodeEntitlementExpired (latest end first, including grace with
//     intake reject): the customer can act — renew within the window or
//     buy anew — and the renewal facts say which.
//     3. CodePerpetualWithoutMaintenance: the licence exists but support
//     needs a maintenance contract; a lapsed contract for the same product
//     says more (dates, renewal facts), so it ranks lower.
func Decide(ents []Entitlement, req Request, now time.Time) (Decision, error) {
	product := strings.TrimSpace(req.Product)
	if product == "" {
		return Decision{}, fieldErr("product", "is required")
	}
	sel, err := newSelector(req)
	if err != nil {
		return Decision{}, err
	}

	named := ents
	if sel.given() {
		named = nil
		for _, e := range ents {
			if sel.matches(e) {
				named = append(named, e)
			}
		}
	}
	if len(named) == 0 {
		return Decision{}, noEntitlement(sel)
	}

	var cands []Entitlement
	for _, e := range named {
		if e.CoversProduct(product) {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		return Decision{}, productNotCovered(named, product, sel)
	}

	if best, ok := pickAccepted(cands, now); ok {
		return accept(best, now), nil
	}
	return Decision{}, explain(cands, now)
}

// selector is the request's identifiers in canonical form.
type selector struct{ serial, code, key string }

func newSelector(req Request) (selector, error) {
	s := selector{serial: NormalizeSerial(req.SerialNumber)}
	var err error
	if strings.TrimSpace(req.ActivationCode) != "" {
		if s.code, err = NormalizeActivationCode(req.ActivationCode); err != nil {
			return s, err
		}
	}
	if strings.TrimSpace(req.RegistrationKey) != "" {
		if s.key, err = NormalizeRegistrationKey(req.RegistrationKey); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s selector) given() bool { return s.serial != "" || s.code != "" || s.key != "" }

func (s selector) matches(e Entitlement) bool {
	return (s.serial == "" || e.HasSerial(s.serial)) &&
		(s.code == "" || e.hasActivationCode(s.code)) &&
		(s.key == "" || e.hasRegistrationKey(s.key))
}

// accepts reports whether e takes an intake at now, and in which state.
func accepts(e Entitlement, now time.Time) (State, bool) {
	if !e.ProvidesSupport() {
		return "", false
	}
	switch st := e.StateAt(now); st {
	case StateActive:
		return st, true
	case StateGrace:
		return st, e.Grace.Intake == GraceAccept
	}
	return "", false
}

func pickAccepted(cands []Entitlement, now time.Time) (Entitlement, bool) {
	var best Entitlement
	var bestState State
	found := false
	for _, e := range cands {
		st, ok := accepts(e, now)
		if !ok {
			continue
		}
		if !found || acceptedBetter(e, st, best, bestState) {
			best, bestState, found = e, st, true
		}
	}
	return best, found
}

func acceptedBetter(a Entitlement, as State, b Entitlement, bs State) bool {
	if ra, rb := TierRank(a.Tier), TierRank(b.Tier); ra != rb {
		return ra > rb
	}
	if as != bs {
		return as == StateActive
	}
	return a.EndsAt.After(b.EndsAt)
}

func accept(e Entitlement, now time.Time) Decision {
	d := Decision{
		Entitlement:   e,
		Tier:          e.Tier,
		State:         e.StateAt(now),
		ExtendedUntil: e.ExtendedUntil(now),
		Renewal:       e.Renewal(now),
	}
	switch {
	case d.State == StateGrace:
		d.InGrace = true
		d.GraceEndsAt = e.GraceEndsAt()
		d.Warning = graceWarning(e, d.Renewal)
	case !d.ExtendedUntil.IsZero():
		d.Warning = extensionWarning(e, d.ExtendedUntil)
	}
	return d
}

// rejectionRank orders the codes of explain; higher explains better.
var rejectionRank = map[string]int{
	CodeEntitlementNotStarted:       3,
	CodeEntitlementExpired:          2,
	CodePerpetualWithoutMaintenance: 1,
}

func rejectionCode(e Entitlement, now time.Time) string {
	switch {
	case !e.ProvidesSupport():
		return CodePerpetualWithoutMaintenance
	case e.StateAt(now) == StateNotStarted:
		return CodeEntitlementNotStarted
	}
	return CodeEntitlementExpired // expired, or in grace with intake reject
}

// explain picks the candidate whose rejection helps the customer most (see
// Decide) and builds the Rejection for it. No candidate accepts.
func explain(cands []Entitlement, now time.Time) *Rejection {
	best, bestCode := cands[0], rejectionCode(cands[0], now)
	for _, e := range cands[1:] {
		code := rejectionCode(e, now)
		if rejectionRank[code] > rejectionRank[bestCode] ||
			code == bestCode && rejectionBetter(code, e, best) {
			best, bestCode = e, code
		}
	}
	switch bestCode {
	case CodeEntitlementNotStarted:
		return notStarted(best)
	case CodeEntitlementExpired:
		return expired(best, now)
	}
	return perpetualWithoutMaintenance(best)
}

func rejectionBetter(code string, a, b Entitlement) bool {
	ra, rb := TierRank(a.Tier), TierRank(b.Tier)
	switch code {
	case CodeEntitlementNotStarted: // support soonest
		if !a.StartsAt.Equal(b.StartsAt) {
			return a.StartsAt.Before(b.StartsAt)
		}
		return ra > rb
	case CodeEntitlementExpired: // most recently lapsed: likeliest still renewable
		if !a.EndsAt.Equal(b.EndsAt) {
			return a.EndsAt.After(b.EndsAt)
		}
		return ra > rb
	}
	if ra != rb {
		return ra > rb
	}
	return a.EndsAt.After(b.EndsAt)
}

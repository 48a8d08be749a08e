package entitlement

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits beyond which a value is a typo rather than a contract. They also
// keep days × 24h far from overflowing time.Duration.
const (
	maxProductLen    = 200
	maxGraceDays     = 365
	maxRenewalWindow = 3650
)

// Validate checks a new entitlement as the API receives it. It returns the
// first problem as a *FieldError (field names are the JSON names of SPEC §5):
//
//   - product: empty or longer than 200 characters;
//   - tier: not standard, premium or platinum;
//   - license_type: not subscription or perpetual;
//   - starts_at / ends_at: missing, or ends_at earlier than one calendar year
//     after starts_at (StartsAt.AddDate(1, 0, 0) in StartsAt's location);
//   - seats: negative;
//   - activation_code / registration_key: malformed (Code
//     CodeInvalidActivationCode / CodeInvalidRegistrationKey); both optional;
//   - grace_policy.days: outside 0–365; grace_policy.intake: not "", accept
//     or reject;
//   - renewal_window_days: outside 0–3650 and not RenewalWindowUnlimited;
//   - credit_rates: a severity outside 1–4, a negative or non-finite rate,
//     or any rate on a standard contract (credits are a premium/platinum
//     feature, SPEC §2);
//   - extensions[i].until / .reason / .granted_at: see Extend.
//
// The one-year minimum applies to every record, including a perpetual licence
// without maintenance, whose dates are then the licence record's period. A
// shorter term is accepted only by ValidateAmong, for an add-on or a
// co-termed contract that ends together with another one (seed 000: maintenance
// lasts at least a year, but several contracts may be aligned to one end date).
func (e Entitlement) Validate() error { return e.validate(false) }

// ValidateAmong is Validate for a contract of an organisation that holds
// others: a term shorter than a year is accepted when another of them (not e
// itself) ends at the same instant as e (EndsWithAnother).
func (e Entitlement) ValidateAmong(others []Entitlement) error {
	return e.validate(EndsWithAnother(e.ID, e.EndsAt, others))
}

// EndsWithAnother reports whether an entitlement of others other than id ends
// exactly at end: such a period may be shorter than a year, because it is an
// add-on or a co-termed contract aligned to the other one's end.
func EndsWithAnother(id uuid.UUID, end time.Time, others []Entitlement) bool {
	for _, o := range others {
		if o.ID != id && o.EndsAt.Equal(end) {
			return true
		}
	}
	return false
}

func (e Entitlement) validate(shortTermOK bool) error {
	if p := strings.TrimSpace(e.Product); p == "" {
		return fieldErr("product", "is required")
	} else if utf8.RuneCountInString(p) > maxProductLen {
		return fieldErr("product", fmt.Sprintf("must be at most %d characters", maxProductLen))
	}
	if TierRank(e.Tier) == 0 {
		return fieldErr("tier", "must be standard, premium or platinum")
	}
	if e.LicenseType != Subscription && e.LicenseType != Perpetual {
		return fieldErr("license_type", "must be subscription or perpetual")
	}
	if err := validTerm(e.StartsAt, e.EndsAt, shortTermOK); err != nil {
		return err
	}
	if e.Seats < 0 {
		return fieldErr("seats", "must not be negative")
	}
	if e.ActivationCode != "" {
		if _, err := NormalizeActivationCode(e.ActivationCode); err != nil {
			return err
		}
	}
	if e.RegistrationKey != "" {
		if _, err := NormalizeRegistrationKey(e.RegistrationKey); err != nil {
			return err
		}
	}
	if e.Grace.Days < 0 || e.Grace.Days > maxGraceDays {
		return fieldErr("grace_policy.days", fmt.Sprintf("must be between 0 and %d", maxGraceDays))
	}
	switch e.Grace.Intake {
	case "", GraceAccept, GraceReject:
	default:
		return fieldErr("grace_policy.intake", "must be accept or reject")
	}
	if w := e.RenewalWindowDays; w != RenewalWindowUnlimited && (w < 0 || w > maxRenewalWindow) {
		return fieldErr("renewal_window_days", fmt.Sprintf("must be between 0 and %d, or -1 for no deadline", maxRenewalWindow))
	}
	if err := validCreditRates(e.Tier, e.CreditRates); err != nil {
		return err
	}
	for i, x := range e.Extensions {
		if err := validExtension(e.EndsAt, x.Until, x.Reason, x.GrantedAt, fmt.Sprintf("extensions[%d].", i)); err != nil {
			return err
		}
	}
	return nil
}

// validTerm checks a contract term; Renew uses it for the new term too.
// shortTermOK lifts the one-year minimum (an add-on or co-termed period); the
// end must still be after the start.
func validTerm(start, end time.Time, shortTermOK bool) *FieldError {
	if start.IsZero() {
		return fieldErr("starts_at", "is required")
	}
	if end.IsZero() {
		return fieldErr("ends_at", "is required")
	}
	if shortTermOK {
		if !end.After(start) {
			return fieldErr("ends_at", "must be after starts_at")
		}
		return nil
	}
	// Calendar year, not 365 × 24h: a term of 2028-01-01 → 2029-01-01 is one
	// year although 2028 has 366 days, and that is what contracts mean.
	if min := start.AddDate(1, 0, 0); end.Before(min) {
		return fieldErr("ends_at", "must be at least one year after starts_at ("+min.Format(time.RFC3339)+" or later)")
	}
	return nil
}

func validCreditRates(_ string, rates map[int]float64) *FieldError {
	if len(rates) == 0 {
		return nil
	}
	// Rates on a standard contract are accepted and never used: credits accrue only for premium
	// and platinum incidents (SPEC §2), and refusing the field would break contract imports that
	// send one shape for every tier.
	for sev, rate := range rates {
		if sev < 1 || sev > 4 {
			return fieldErr("credit_rates", fmt.Sprintf("severity %d does not exist (1–4)", sev))
		}
		if rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
			return fieldErr("credit_rates", fmt.Sprintf("rate for severity %d must be a non-negative number", sev))
		}
	}
	return nil
}

// validExtension checks an extension against the contract end; prefix is
// "" for Extend's own arguments and "extensions[i]." inside Validate.
func validExtension(end, until time.Time, reason string, at time.Time, prefix string) *FieldError {
	if strings.TrimSpace(reason) == "" {
		return fieldErr(prefix+"reason", "is required")
	}
	if at.IsZero() {
		return fieldErr(prefix+"granted_at", "is required")
	}
	if !until.After(end) {
		return fieldErr(prefix+"until", "must be after the end of the contract ("+end.Format(time.RFC3339)+")")
	}
	if !until.After(at) {
		return fieldErr(prefix+"until", "must be after the moment it is granted")
	}
	return nil
}

// Normalize returns a copy with the product, serial numbers and renewal ID
// trimmed and the activation code and registration key in canonical form,
// so a store can index and compare them. It returns Validate's errors.
func (e Entitlement) Normalize() (Entitlement, error) { return e.NormalizeAmong(nil) }

// NormalizeAmong is Normalize with ValidateAmong's rule: others are the
// organisation's other contracts.
func (e Entitlement) NormalizeAmong(others []Entitlement) (Entitlement, error) {
	if err := e.ValidateAmong(others); err != nil {
		return Entitlement{}, err
	}
	e.Product = strings.TrimSpace(e.Product)
	e.SerialNumber = NormalizeSerial(e.SerialNumber)
	e.RenewalID = strings.TrimSpace(e.RenewalID)
	aliases := make([]string, 0, len(e.SerialAliases))
	for _, a := range e.SerialAliases {
		if a = NormalizeSerial(a); a != "" {
			aliases = append(aliases, a)
		}
	}
	e.SerialAliases = aliases
	// Validate has checked both, so the errors cannot happen here.
	if e.ActivationCode != "" {
		e.ActivationCode, _ = NormalizeActivationCode(e.ActivationCode)
	}
	if e.RegistrationKey != "" {
		e.RegistrationKey, _ = NormalizeRegistrationKey(e.RegistrationKey)
	}
	return e, nil
}

package entitlement

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Renew returns e renewed for the term [newStart, newEnd). The receiver is
// not modified.
//
// The new term must last at least one calendar year (like Validate), must
// not start before the current term and must end after the current EndsAt.
// When the new term starts no later than the current end (an on-time
// renewal, or a late one backdated to the old end as with a reinstatement),
// coverage is continuous and StartsAt stays the current start: otherwise a
// renewal booked in advance would make the entitlement "not started" until
// the new term begins. A new term after a gap starts at newStart.
//
// A non-empty newSerial different from the current serial becomes
// SerialNumber and the old serial moves to SerialAliases, so customers who
// quote the old one still find the entitlement. Renewing a perpetual licence
// buys maintenance for the new term (Maintenance becomes true).
//
// Errors: *FieldError for "starts_at" (missing, before the current start) or
// "ends_at" (missing, under one year, not after the current end).
func (e Entitlement) Renew(newStart, newEnd time.Time, newSerial string) (Entitlement, error) {
	return e.RenewAmong(newStart, newEnd, newSerial, nil)
}

// RenewAmong is Renew for a contract of an organisation holding others: the
// new term may be shorter than a year when another of them ends at newEnd
// (EndsWithAnother) — the co-termed period of seed 000.
func (e Entitlement) RenewAmong(newStart, newEnd time.Time, newSerial string, others []Entitlement) (Entitlement, error) {
	if err := validTerm(newStart, newEnd, EndsWithAnother(e.ID, newEnd, others)); err != nil {
		return Entitlement{}, err
	}
	if newStart.Before(e.StartsAt) {
		return Entitlement{}, fieldErr("starts_at", "must not be before the current term's start")
	}
	if !newEnd.After(e.EndsAt) {
		return Entitlement{}, fieldErr("ends_at", "must be after the current term's end")
	}

	contiguous := e.ProvidesSupport() && !newStart.After(e.EndsAt)
	if !contiguous {
		e.StartsAt = newStart
	}
	e.EndsAt = newEnd
	if e.LicenseType == Perpetual {
		e.Maintenance = true
	}

	newSerial = NormalizeSerial(newSerial)
	if newSerial != "" && !strings.EqualFold(newSerial, NormalizeSerial(e.SerialNumber)) {
		// A fresh slice: the caller's value shares the old backing array.
		aliases := make([]string, 0, len(e.SerialAliases)+1)
		for _, a := range e.SerialAliases {
			if !strings.EqualFold(NormalizeSerial(a), newSerial) {
				aliases = append(aliases, a)
			}
		}
		if old := NormalizeSerial(e.SerialNumber); old != "" {
			aliases = append(aliases, old)
		}
		e.SerialAliases = aliases
		e.SerialNumber = newSerial
	}
	return e, nil
}

// Extend returns e with a temporary extension until `until`, granted by a
// manager (by) at `at`, for a reason — typically while a renewal is
// processed. The receiver is not modified. An extension on a perpetual
// licence without maintenance is recorded but gives no support.
//
// Errors: *FieldError for "reason" (empty), "granted_by" (nil UUID),
// "granted_at" (zero) or "until" (not after EndsAt, or not after at).
func (e Entitlement) Extend(until time.Time, reason string, by uuid.UUID, at time.Time) (Entitlement, error) {
	if err := validExtension(e.EndsAt, until, reason, at, ""); err != nil {
		return Entitlement{}, err
	}
	if by == uuid.Nil {
		return Entitlement{}, fieldErr("granted_by", "is required")
	}
	e.Extensions = append(slices.Clip(e.Extensions), Extension{
		Until: until, Reason: strings.TrimSpace(reason), GrantedBy: by, GrantedAt: at,
	})
	return e, nil
}

package entitlement

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// CoTermPeriod is what co-terming did to one contract: the period it now runs
// (from its previous end to the common end), or Unchanged when it already
// ended then.
type CoTermPeriod struct {
	Entitlement      Entitlement
	PreviousStartsAt time.Time
	PreviousEndsAt   time.Time
	// StartsAt–EndsAt is the new period: the renewal bought by co-terming.
	StartsAt time.Time
	EndsAt   time.Time
	// ShorterThanYear: the period is under one calendar year, which only a
	// co-termed or add-on period may be.
	ShorterThanYear bool
	Unchanged       bool
}

// CoTerm aligns the contracts ids of an organisation (all is every contract it
// holds) to one end date, as seed 000 lets a customer with several contracts
// ending on different dates do (終了日を統一する). Each listed contract that ends
// before end is renewed (RenewAmong) for the period from its current end to
// end — continuous coverage, a late one backdated like a reinstatement; one
// that already ends at end is left as it is. The periods may be shorter than
// a year because, afterwards, each ends together with another contract; a
// single contract aligned to a date no other contract ends on is an ordinary
// renewal and needs a full year.
//
// It returns the periods in the order of ids; the receiver slices are not
// modified. Errors: *FieldError for "entitlement_ids" (empty, repeated, not a
// contract of the organisation) or "ends_at" (missing, before the end of a
// listed contract, or a single period under a year).
func CoTerm(all []Entitlement, ids []uuid.UUID, end time.Time) ([]CoTermPeriod, error) {
	if len(ids) == 0 {
		return nil, fieldErr("entitlement_ids", "must name at least one contract")
	}
	if end.IsZero() {
		return nil, fieldErr("ends_at", "is required")
	}
	byID := make(map[uuid.UUID]int, len(all))
	for i, e := range all {
		byID[e.ID] = i
	}
	// after is the organisation's contracts as they will be, so RenewAmong sees
	// which of them end together.
	after := make([]Entitlement, len(all))
	copy(after, all)
	seen := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		i, ok := byID[id]
		if !ok {
			return nil, fieldErr("entitlement_ids", fmt.Sprintf("%s is not a contract of this organisation", id))
		}
		if seen[id] {
			return nil, fieldErr("entitlement_ids", fmt.Sprintf("%s is named twice", id))
		}
		seen[id] = true
		if all[i].EndsAt.After(end) {
			return nil, fieldErr("ends_at", fmt.Sprintf("must not be before the end of contract %s (%s): co-terming renews, it never shortens",
				id, all[i].EndsAt.Format(time.RFC3339)))
		}
		after[i].EndsAt = end
	}
	out := make([]CoTermPeriod, 0, len(ids))
	for _, id := range ids {
		cur := all[byID[id]]
		p := CoTermPeriod{Entitlement: cur, PreviousStartsAt: cur.StartsAt, PreviousEndsAt: cur.EndsAt, StartsAt: cur.StartsAt, EndsAt: cur.EndsAt, Unchanged: true}
		if cur.EndsAt.Before(end) {
			next, err := cur.RenewAmong(cur.EndsAt, end, "", after)
			if err != nil {
				return nil, err
			}
			p = CoTermPeriod{Entitlement: next, PreviousStartsAt: cur.StartsAt, PreviousEndsAt: cur.EndsAt, StartsAt: cur.EndsAt, EndsAt: end}
		}
		p.ShorterThanYear = p.EndsAt.Before(p.StartsAt.AddDate(1, 0, 0))
		out = append(out, p)
	}
	return out, nil
}

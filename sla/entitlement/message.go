package entitlement

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Messages are for the customer who was refused or warned: each says what
// happened and what they can do. Dates are shown in the location of the
// instant the caller gave (store contract instants in the customer's zone
// to show local dates).

// lastDay shows an exclusive bound as the last day it covers: a contract
// ending at 2026-04-01 00:00 "ended on 2026-03-31", which is what the
// licence certificate says. A bound not at midnight is shown with its time.
func lastDay(t time.Time) string {
	if isMidnight(t) {
		return t.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04 MST")
}

// firstDay shows an inclusive bound: the day it starts.
func firstDay(t time.Time) string {
	if isMidnight(t) {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04 MST")
}

func isMidnight(t time.Time) bool {
	h, m, s := t.Clock()
	return h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0
}

func (s selector) describe() string {
	var parts []string
	if s.serial != "" {
		parts = append(parts, fmt.Sprintf("serial number %q", s.serial))
	}
	if s.code != "" {
		parts = append(parts, "activation code "+s.code)
	}
	if s.key != "" {
		parts = append(parts, "registration key "+s.key)
	}
	return strings.Join(parts, " and ")
}

func noEntitlement(s selector) *Rejection {
	msg := "Your organisation has no maintenance contract or subscription on record. " +
		"Contact your sales representative to purchase one, or ask your administrator to have it registered."
	if s.given() {
		msg = "No maintenance contract or subscription of your organisation matches " + s.describe() +
			". Check the identifier on your licence certificate, or leave it empty."
	}
	return &Rejection{Code: CodeNoEntitlement, Message: msg}
}

func productNotCovered(named []Entitlement, product string, s selector) *Rejection {
	products := productList(named)
	if s.given() {
		e := named[0]
		return &Rejection{
			Code: CodeProductNotCovered,
			Message: fmt.Sprintf("The %s you entered belongs to your entitlement for %s, not for %s. "+
				"Choose that product, or leave the identifier empty.", s.describe(), products, product),
			Entitlement: &e,
		}
	}
	return &Rejection{
		Code: CodeProductNotCovered,
		Message: fmt.Sprintf("Your organisation has no maintenance contract or subscription for %s "+
			"(it has: %s). Check the product name, or contact your sales representative to add it.", product, products),
	}
}

// productList names the distinct products, sorted, in the case first seen.
func productList(ents []Entitlement) string {
	seen := map[string]bool{}
	var out []string
	for _, e := range ents {
		p := strings.TrimSpace(e.Product)
		if k := strings.ToLower(p); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func notStarted(e Entitlement) *Rejection {
	start := e.StartsAt
	return &Rejection{
		Code: CodeEntitlementNotStarted,
		Message: fmt.Sprintf("Your %s for %s starts on %s; support can be requested from then.",
			e.kind(), e.Product, firstDay(start)),
		Entitlement: &e,
		StartsAt:    &start,
	}
}

func expired(e Entitlement, now time.Time) *Rejection {
	end := e.EndsAt
	f := e.Renewal(now)
	return &Rejection{
		Code:        CodeEntitlementExpired,
		Message:     fmt.Sprintf("Your %s for %s ended on %s. %s", e.kind(), e.Product, lastDay(end), renewalSentence(f)),
		Entitlement: &e,
		Renewal:     &f,
		EndedAt:     &end,
	}
}

func renewalSentence(f RenewalFacts) string {
	var s string
	switch {
	case !f.Renewable:
		return fmt.Sprintf("It could be renewed until %s; a new purchase is needed now.", lastDay(f.RenewableUntil))
	case f.RenewableUntil.IsZero():
		s = "It can still be renewed"
	default:
		s = "It can still be renewed until " + lastDay(f.RenewableUntil)
	}
	if f.ReinstatementFee {
		return s + "; a reinstatement fee applies."
	}
	return s + "."
}

func perpetualWithoutMaintenance(e Entitlement) *Rejection {
	return &Rejection{
		Code: CodePerpetualWithoutMaintenance,
		Message: fmt.Sprintf("Your perpetual licence for %s has no maintenance contract, which technical support requires. "+
			"Contact your sales representative to purchase maintenance.", e.Product),
		Entitlement: &e,
	}
}

func graceWarning(e Entitlement, f RenewalFacts) string {
	return fmt.Sprintf("Your %s for %s ended on %s. Support continues during the grace period until %s. %s",
		e.kind(), e.Product, lastDay(e.EndsAt), lastDay(e.GraceEndsAt()), renewalSentence(f))
}

func extensionWarning(e Entitlement, until time.Time) string {
	return fmt.Sprintf("Your %s for %s ended on %s; a temporary extension keeps support until %s while the renewal is processed.",
		e.kind(), e.Product, lastDay(e.EndsAt), lastDay(until))
}

// Package entitlement decides whether an organisation may open an incident
// for a product: its maintenance contracts and subscriptions (SPEC §3), their
// state at an instant, renewal facts, identifier formats, renewal reminders
// and the intake decision.
//
// The contract rules (entitlement.go, state.go, decide.go, renew.go,
// milestone.go, identifier.go, validate.go, coverage.go, message.go, view.go)
// are pure: no I/O, no database and no time.Now(). Every function that
// depends on the clock takes the instant as `now`, so one request sees one
// clock and tests can pin any instant. Storage of contracts, extensions,
// renewals and sent reminders is in store.go alone; service.go joins rules and
// store for the API, and reminders.go is the reminder job, which tells people
// through the Notifier interface it declares (so this package depends on
// neither tickets nor escalation).
//
// Time rules used throughout:
//
//   - A contract covers the half-open interval [StartsAt, EndsAt): at the
//     instant EndsAt it has ended.
//   - "N days" (grace, renewal window, reminder milestones, DaysLeft) is
//     N × 24 hours of absolute time, so results do not depend on a time zone.
//   - "One year" (the minimum term) is a calendar year in the location of
//     StartsAt: StartsAt.AddDate(1, 0, 0). A contract from 2026-04-01 00:00
//     JST must end no earlier than 2027-04-01 00:00 JST, however many days
//     the year has.
//
// Errors: invalid input is a *FieldError (maps to HTTP 422, Code tells which
// kind); a refused intake is a *Rejection (maps to HTTP 403). Both can also be
// told apart with errors.Is(err, ErrInvalid) and errors.Is(err, ErrRejected).
package entitlement

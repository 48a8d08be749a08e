// Package sla plans service-level deadlines for support incidents.
//
// It holds the agreements of SPEC §2: per-tier policies (which target runs
// how long on which clock), business calendars (time zone, weekly opening
// hours, Japanese national holidays, extra closed dates and annual closures),
// and a planner that turns a policy, the calendars and an incident's event
// list into one deadline per target, each with the steps that produced it.
//
// Everything here is pure: no I/O, no database, no HTTP and no time.Now().
// The caller passes the instant it considers "now", so one transaction sees
// one clock and tests can pin any instant. Calendars are compiled once and
// are immutable afterwards, so a compiled *Calendar (and a Calendars set that
// is no longer written to) is safe for concurrent use.
//
// Results never depend on the process's TZ variable or on the machine's
// zoneinfo files being present: the time zone database is embedded below and
// no code here uses time.Local.
package sla

// The embedded zone database lets Compile load any IANA zone on a machine
// (or container) that has no zoneinfo files.
import _ "time/tzdata"

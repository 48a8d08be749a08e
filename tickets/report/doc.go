// Package report is the read side of incidents: the SLA report (met and breached targets,
// times to first response and to assign, escalations) aggregated from the incidents and
// timelines that package tickets writes. It reads tickets' tables directly, in SQL that
// aggregates in PostgreSQL, and never writes: internal/seams lists it among the readers and
// fails on an INSERT, UPDATE or DELETE here. It imports neither tickets nor any other domain
// package, so a report can never take part in a write.
package report

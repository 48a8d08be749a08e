// Package replay plans past incidents again under a draft policy (or another policy version, or
// a draft calendar) and compares what happened with what would have happened (issue 14, SPEC
// §3b). It is read-side only: it reads incidents and their events through a streaming cursor
// (tickets.Store.StreamHistories) and writes nothing but its own sla_replays rows — never incidents,
// events or timers. Planning is sla.Plan, the same pure planner the engine records with.
package replay

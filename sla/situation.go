package sla

import "time"

// situation is the incident-wide state replayed from the events; every
// target's timer reads it to decide whether its clock runs.
type situation struct {
	severity   int
	acked      bool
	waiting    bool
	resolved   bool
	outOfScope bool
	reached    int // highest escalation level reached
	resolvedAt time.Time
}

func (s *situation) apply(e *Event, at time.Time) {
	switch e.Kind {
	case Acknowledged:
		s.acked = true
	case WaitStarted:
		s.waiting = !s.resolved
	case WaitEnded:
		s.waiting = false
	case SeverityChanged:
		s.severity = e.Severity
	case Escalated:
		s.reached = max(s.reached, e.Level)
	case ScopeChanged:
		s.outOfScope = e.Scope != ScopeProduct
	case Resolved:
		if !s.resolved {
			s.resolved, s.resolvedAt, s.waiting = true, at, false
		}
	case Reopened:
		s.resolved, s.waiting = false, false
	}
}

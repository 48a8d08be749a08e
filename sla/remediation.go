package sla

import "time"

// planRemediation plans the agreed resolution time. Unlike policy targets it
// is an absolute instant: waiting and severity changes do not move it, a new
// agreement replaces it, resolving meets it and reopening makes it pending
// again against the same instant.
func (pl *planner) planRemediation() (Deadline, bool) {
	base := len(pl.steps)
	var (
		has, resolved, met, breached bool
		due, metAt, breachedAt       time.Time
		agreed                       time.Time
		sev                          = pl.in.Severity
	)
	expire := func(at time.Time, inclusive bool) {
		if has && !resolved && !met && !breached && (due.Before(at) || inclusive && due.Equal(at)) {
			breached, breachedAt = true, due
			pl.steps = append(pl.steps, Step{Kind: StepBreached, From: due, Note: "not resolved by the agreed time"})
		}
	}
	for i := range pl.events {
		e := &pl.events[i]
		at := pl.clamp(e.At)
		expire(at, false)
		switch e.Kind {
		case SeverityChanged:
			sev = e.Severity
		case RemediationAgreed:
			if resolved {
				continue
			}
			has, met, breached = true, false, false
			due, metAt, breachedAt = e.DueAt.In(pl.loc24), time.Time{}, time.Time{}
			agreed = at.In(pl.loc24)
			pl.steps = append(pl.steps[:base], Step{Kind: StepAgreed, From: at.In(pl.loc24), To: due})
		case Resolved:
			if resolved || !has {
				resolved = true
				continue
			}
			resolved = true
			switch {
			case breached && metAt.IsZero():
				metAt = at
				pl.steps = append(pl.steps, Step{Kind: StepMet, From: at.In(pl.loc24), Note: "resolved, late"})
			case !met && !breached:
				met, metAt = true, at
				pl.steps = append(pl.steps, Step{Kind: StepMet, From: at.In(pl.loc24), Note: "resolved"})
			}
		case Reopened:
			if !resolved {
				continue
			}
			resolved = false
			if has {
				met, metAt = false, time.Time{}
				pl.steps = append(pl.steps, Step{Kind: StepResume, From: at.In(pl.loc24), Note: "incident reopened"})
			}
		}
	}
	expire(pl.now, true)
	if !has {
		return Deadline{}, false
	}
	d := Deadline{Target: Remediation, DueAt: due, Clock: "agreed", PolicyVersion: pl.p.Version,
		Severity: sev, MetAt: metAt, BreachedAt: breachedAt}
	switch {
	case breached:
		d.State = Breached
	case met:
		d.State = Met
	default:
		d.State = Pending
		d.Warnings = remediationWarnings(agreed, due)
	}
	return d, true
}

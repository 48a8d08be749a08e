package replay

import (
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
)

// Report is a replay as stored in sla_replays.result and shown by the API.
type Report struct {
	ID         uuid.UUID
	State      string // running, done, failed
	Error      string
	Request    StoredRequest
	Progress   Progress
	CreatedAt  time.Time
	FinishedAt *time.Time
	Result     *Answer
}

// Progress is how far a replay has read.
type Progress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// StoredRequest is the replay's request as stored (policy and calendar as sent).
type StoredRequest struct {
	From           time.Time  `json:"from"`
	To             time.Time  `json:"to"`
	Tier           string     `json:"tier,omitempty"`
	Severity       int        `json:"severity,omitempty"`
	OrganizationID *uuid.UUID `json:"organization_id,omitempty"`
	Product        string     `json:"product,omitempty"`
	Policy         any        `json:"policy,omitempty"`
	Calendar       any        `json:"calendar,omitempty"`
	MaxChanges     int        `json:"max_changes"`
	Background     bool       `json:"background,omitempty"`
}

// Answer is a finished replay's comparison.
type Answer struct {
	Now            time.Time      `json:"now"` // open targets are judged as of this instant
	Incidents      int            `json:"incidents"`
	Changed        int            `json:"changed"`
	PolicyVersions map[string]int `json:"draft_based_on"` // per tier, the version the draft starts from
	Rows           []AnswerRow    `json:"rows"`
	Changes        []AnswerChange `json:"changes"`
	ChangesListed  int            `json:"changes_listed"`
}

// AnswerRow is Row in JSON.
type AnswerRow struct {
	Tier      string      `json:"tier"`
	Severity  int         `json:"severity"`
	Incidents int         `json:"incidents"`
	Changed   int         `json:"changed"`
	Recorded  CountsJSON  `json:"recorded"`
	Replayed  CountsJSON  `json:"replayed"`
	Delta     CountsDelta `json:"delta"`
}

// CountsJSON is Counts in JSON.
type CountsJSON struct {
	FirstResponseMet      int `json:"first_response_met"`
	FirstResponseBreached int `json:"first_response_breached"`
	UpdateBreaches        int `json:"update_cadence_breaches"`
	EscalatedLevel1       int `json:"escalations_level_1"`
	EscalatedLevel2       int `json:"escalations_level_2"`
}

// CountsDelta is replayed minus recorded.
type CountsDelta CountsJSON

// AnswerChange is Change in JSON.
type AnswerChange struct {
	IncidentID    uuid.UUID      `json:"incident_id"`
	Reference     string         `json:"reference"`
	Tier          string         `json:"tier"`
	Severity      int            `json:"severity"`
	AcceptedAt    time.Time      `json:"accepted_at"`
	PolicyVersion int            `json:"policy_version"`
	Targets       []AnswerTarget `json:"targets"`
}

// AnswerTarget is one changed target with both plans and their explanations.
type AnswerTarget struct {
	Target                 string          `json:"target"`
	Recorded               *catalog.Target `json:"recorded"` // null: no timer
	Replayed               *catalog.Target `json:"replayed"`
	RecordedOutcome        string          `json:"recorded_outcome"`
	ReplayedOutcome        string          `json:"replayed_outcome"`
	UpdateBreachesBefore   *int            `json:"recorded_update_breaches,omitempty"`
	UpdateBreachesReplayed *int            `json:"replayed_update_breaches,omitempty"`
}

func countsJSON(c Counts) CountsJSON { return CountsJSON(c) }

// outcomeName names a target's outcome by its kind: an escalation reached is "escalated",
// never "breached"; one not reached is "not_escalated".
func outcomeName(d sla.Deadline, t sla.Target) string {
	if t.Level() > 0 {
		if Reached(d) {
			return "escalated"
		}
		return "not_escalated"
	}
	if d.Target == "" {
		return "none"
	}
	return string(d.State)
}

func targetJSON(d sla.Deadline) *catalog.Target {
	if d.Target == "" {
		return nil
	}
	t := catalog.FromDeadline(d, true)
	t.Steps = nil
	return &t
}

// NewAnswer converts a Result.
func NewAnswer(r Result, now time.Time, based map[string]int) *Answer {
	a := &Answer{Now: now, Incidents: r.Incidents, Changed: r.Changed, PolicyVersions: based, Rows: []AnswerRow{}, Changes: []AnswerChange{}}
	for _, row := range r.Rows {
		b, f := countsJSON(row.Before), countsJSON(row.After)
		a.Rows = append(a.Rows, AnswerRow{Tier: row.Tier, Severity: row.Severity, Incidents: row.Incidents, Changed: row.Changed,
			Recorded: b, Replayed: f, Delta: CountsDelta{f.FirstResponseMet - b.FirstResponseMet, f.FirstResponseBreached - b.FirstResponseBreached,
				f.UpdateBreaches - b.UpdateBreaches, f.EscalatedLevel1 - b.EscalatedLevel1, f.EscalatedLevel2 - b.EscalatedLevel2}})
	}
	for _, c := range r.Changes {
		ac := AnswerChange{IncidentID: c.IncidentID, Reference: c.Reference, Tier: c.Tier, Severity: c.Severity,
			AcceptedAt: c.AcceptedAt, PolicyVersion: c.PolicyVersion}
		for _, t := range c.Targets {
			at := AnswerTarget{Target: string(t.Target), Recorded: targetJSON(t.Before), Replayed: targetJSON(t.After),
				RecordedOutcome: outcomeName(t.Before, t.Target), ReplayedOutcome: outcomeName(t.After, t.Target)}
			if t.Target == sla.UpdateCadence {
				b, f := t.UpdateBreachesBefore, t.UpdateBreachesAfter
				at.UpdateBreachesBefore, at.UpdateBreachesReplayed = &b, &f
			}
			ac.Targets = append(ac.Targets, at)
		}
		a.Changes = append(a.Changes, ac)
	}
	a.ChangesListed = len(a.Changes)
	return a
}

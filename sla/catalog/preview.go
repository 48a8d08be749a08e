package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
)

// Target is one target of an incident's plan in JSON (the "sla" block of SPEC §5, and preview).
type Target struct {
	Target      sla.Target `json:"target"`
	Level       int        `json:"level,omitempty"`
	DueAt       *time.Time `json:"due_at"`
	State       sla.State  `json:"state"`
	MetAt       *time.Time `json:"met_at"`
	BreachedAt  *time.Time `json:"breached_at"`
	EscalatedAt *time.Time `json:"escalated_at"`
	Cause       sla.Cause  `json:"cause,omitempty"` // what reached an escalated level
	Clock       string     `json:"clock"`
	Remaining   string     `json:"remaining,omitempty"` // time left on a paused clock
	Explanation []string   `json:"explanation,omitempty"`
	Steps       []sla.Step `json:"steps,omitempty"`
	// Warnings are the warning points still ahead on a pending target (staff only, with the
	// explanation).
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is a warning point in JSON: the fraction of the target and when it is reached.
type Warning struct {
	Point float64   `json:"point"`
	At    time.Time `json:"at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// FromDeadline converts a planned deadline; explain adds the steps that produced it.
func FromDeadline(d sla.Deadline, explain bool) Target {
	t := Target{Target: d.Target, Level: d.Level, DueAt: timePtr(d.DueAt), State: d.State, MetAt: timePtr(d.MetAt),
		BreachedAt: timePtr(d.BreachedAt), EscalatedAt: timePtr(d.EscalatedAt), Cause: d.Cause, Clock: d.Clock}
	if d.State == sla.Paused && d.Remaining > 0 {
		t.Remaining = d.Remaining.String()
	}
	if explain {
		t.Explanation = d.Explanation.Lines()
		t.Steps = d.Explanation
		for _, w := range d.Warnings {
			t.Warnings = append(t.Warnings, Warning{Point: float64(w.Permille) / 1000, At: w.At})
		}
	}
	return t
}

// Event is a planner event in JSON (preview input).
type Event struct {
	Kind     string
	At       time.Time
	Severity int
	Level    int
	DueAt    time.Time
	Scope    string
	Cause    string // escalated: deadline or request
}

var eventKinds = map[string]sla.EventKind{}

func init() {
	for _, k := range []sla.EventKind{sla.Acknowledged, sla.PublicUpdate, sla.WaitStarted, sla.WaitEnded, sla.SeverityChanged,
		sla.Escalated, sla.RemediationAgreed, sla.ScopeChanged, sla.Resolved, sla.Reopened} {
		eventKinds[string(k)] = k
	}
}

// PreviewRequest is POST /v1/sla/preview.
type PreviewRequest struct {
	Tier       string
	Severity   int
	AcceptedAt time.Time
	Events     []Event
	Now        *time.Time      // judge met/breached at this instant (default: after every event)
	Policy     json.RawMessage // a version number, or {"cells": [...]} merged onto the current policy
	Calendar   json.RawMessage // a calendar name, or a calendar object, used for every business clock
}

// PreviewResult is the answer: every target's deadline with its explanation.
type PreviewResult struct {
	Tier          sla.Tier
	Severity      int
	AcceptedAt    time.Time
	PolicyVersion int
	Draft         bool // planned with an unsaved policy
	Targets       []Target
}

// Preview plans a hypothetical incident and creates nothing.
// Errors: invalid_value naming the field.
func (c *Catalog) Preview(ctx context.Context, req PreviewRequest) (PreviewResult, error) {
	tier, err := sla.ParseTier(req.Tier)
	if err != nil {
		return PreviewResult{}, apperr.InvalidField("tier", "tier must be standard, premium or platinum")
	}
	if req.Severity < 1 || req.Severity > 4 {
		return PreviewResult{}, apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
	}
	if req.AcceptedAt.IsZero() {
		return PreviewResult{}, apperr.InvalidField("accepted_at", "accepted_at is required (RFC 3339)")
	}
	in := sla.Incident{Tier: tier, Severity: req.Severity, AcceptedAt: req.AcceptedAt}
	last := req.AcceptedAt
	for i, e := range req.Events {
		k, ok := eventKinds[e.Kind]
		if !ok {
			return PreviewResult{}, apperr.InvalidField("events["+strconv.Itoa(i)+"].kind", "unknown event kind %q", e.Kind)
		}
		if e.At.IsZero() {
			return PreviewResult{}, apperr.InvalidField("events["+strconv.Itoa(i)+"].at", "at is required")
		}
		if e.At.After(last) {
			last = e.At
		}
		in.Events = append(in.Events, sla.Event{Kind: k, At: e.At, Severity: e.Severity, Level: e.Level, DueAt: e.DueAt, Scope: sla.Scope(e.Scope),
			Cause: sla.Cause(e.Cause)})
	}
	p, draft, err := c.previewPolicy(ctx, tier, req.Policy)
	if err != nil {
		return PreviewResult{}, err
	}
	cals, err := c.Calendars(ctx)
	if err != nil {
		return PreviewResult{}, err
	}
	if len(req.Calendar) > 0 && string(req.Calendar) != "null" {
		if p, cals, err = c.previewCalendar(ctx, p, cals, req.Calendar); err != nil {
			return PreviewResult{}, err
		}
	}
	if err := p.Validate(cals.Has); err != nil {
		return PreviewResult{}, err
	}
	now := last
	if req.Now != nil {
		now = *req.Now
	}
	res, err := sla.Plan(p, cals, in, now)
	if err != nil {
		return PreviewResult{}, err
	}
	out := PreviewResult{Tier: tier, Severity: req.Severity, AcceptedAt: req.AcceptedAt, PolicyVersion: res.PolicyVersion, Draft: draft, Targets: []Target{}}
	for _, d := range res.Deadlines {
		out.Targets = append(out.Targets, FromDeadline(d, true))
	}
	return out, nil
}

func (c *Catalog) previewPolicy(ctx context.Context, tier sla.Tier, raw json.RawMessage) (sla.Policy, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		p, err := c.CurrentPolicy(ctx, tier)
		return p, false, err
	}
	if raw[0] != '{' {
		var v int
		if err := json.Unmarshal(raw, &v); err != nil || v < 1 {
			return sla.Policy{}, false, apperr.InvalidField("policy", "policy is a version number or {\"cells\": [...]}")
		}
		p, err := c.Policy(ctx, tier, v)
		if apperr.KindOf(err) == apperr.NotFound {
			return sla.Policy{}, false, apperr.InvalidField("policy", "tier %s has no policy version %d", tier, v)
		}
		return p, false, err
	}
	var draft struct {
		Cells []Cell `json:"cells"`
	}
	if err := strict(raw, &draft); err != nil {
		return sla.Policy{}, false, apperr.InvalidField("policy", "policy.cells: %v", err)
	}
	cur, err := c.CurrentPolicy(ctx, tier)
	if err != nil {
		return sla.Policy{}, false, err
	}
	cells := make([]sla.Cell, len(draft.Cells))
	for i, cell := range draft.Cells {
		if cells[i], err = cell.ToCell("policy.cells[" + strconv.Itoa(i) + "]"); err != nil {
			return sla.Policy{}, false, err
		}
	}
	return cur.Merge(cells), true, nil
}

// previewCalendar makes every business-clock cell of p run on the given calendar.
func (c *Catalog) previewCalendar(ctx context.Context, p sla.Policy, cals sla.Calendars, raw json.RawMessage) (sla.Policy, sla.Calendars, error) {
	name := ""
	if err := json.Unmarshal(raw, &name); err != nil {
		var in Calendar
		if err := strict(raw, &in); err != nil {
			return p, cals, apperr.InvalidField("calendar", "calendar is a calendar name or a calendar object: %v", err)
		}
		in.Name = "preview"
		spec, err := in.ToSpec()
		if err != nil {
			return p, cals, err
		}
		cal, err := sla.Compile(spec)
		if err != nil {
			return p, cals, err
		}
		merged := sla.Calendars{}
		for k, v := range cals {
			merged[k] = v
		}
		merged[cal.Name()] = cal
		cals, name = merged, cal.Name()
	} else if !cals.Has(name) {
		return p, cals, apperr.InvalidField("calendar", "unknown calendar %q", name)
	}
	out := sla.Policy{Tier: p.Tier, Version: p.Version, Cells: append([]sla.Cell(nil), p.Cells...)}
	for i := range out.Cells {
		if out.Cells[i].Kind.Timed() && out.Cells[i].Clock != sla.Clock24x7 {
			out.Cells[i].Clock = name
		}
	}
	return out, cals, nil
}

// strict decodes raw into v refusing fields v does not take, so a misspelt cell or calendar
// field is an error, not a silently different preview.
func strict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

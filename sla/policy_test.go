package sla

import (
	"errors"
	"testing"
	"time"
)

func TestDefaultPoliciesValidate(t *testing.T) {
	cals := defaultCalendarSet()
	for _, p := range DefaultPolicies() {
		if err := p.Validate(cals.Has); err != nil {
			t.Errorf("%s: %v", p.Tier, err)
		}
		if p.Version != 1 || len(p.Cells) != 16 {
			t.Errorf("%s: version %d, %d cells", p.Tier, p.Version, len(p.Cells))
		}
	}
}

// The matrix of SPEC §2, cell by cell, read off the table by hand.
func TestDefaultPolicyMatrix(t *testing.T) {
	type want struct {
		kind  Kind
		d     time.Duration
		days  int
		clock string
	}
	h := func(n int, clock string) want { return want{Duration, time.Duration(n) * time.Hour, 0, clock} }
	oneBD := want{BusinessDays, 0, 1, "jp-business"}
	none, req := want{kind: None}, want{kind: OnRequest}
	all := "24x7"
	matrix := map[Tier][4][4]want{
		Standard: {
			{h(4, all), h(24, all), h(24, all), none},
			{h(8, "jp-business"), oneBD, req, none},
			{oneBD, none, none, none},
			{oneBD, none, none, none},
		},
		Premium: {
			{h(1, all), h(2, all), h(2, all), none},
			{h(2, all), h(24, all), h(72, all), none},
			{h(24, all), none, h(168, all), none},
			{h(24, all), none, none, none},
		},
		Platinum: {
			{h(1, all), h(2, all), h(2, all), h(8, all)},
			{h(2, all), h(24, all), h(72, all), req},
			{h(24, all), none, h(168, all), req},
			{h(24, all), none, h(168, all), req},
		},
	}
	for tier, rows := range matrix {
		p := policyFor(tier)
		for sev := 1; sev <= 4; sev++ {
			for i, tg := range PolicyTargets {
				c, ok := p.Cell(sev, tg)
				w := rows[sev-1][i]
				if !ok || c.Kind != w.kind || c.Duration != w.d || c.BusinessDays != w.days || (w.kind.Timed() && c.Clock != w.clock) {
					t.Errorf("%s sev %d %s = %+v, want %+v", tier, sev, tg, c, w)
				}
			}
		}
	}
}

func TestPolicyValidateErrors(t *testing.T) {
	cals := defaultCalendarSet()
	tests := []struct {
		field string
		cell  Cell
	}{
		{"cells[0].duration", Cell{Severity: 1, Target: FirstResponse, Kind: Duration, Duration: -time.Hour, Clock: "24x7"}},
		{"cells[0].duration", Cell{Severity: 1, Target: FirstResponse, Kind: Duration, Clock: "24x7"}},
		{"cells[0].severity", Cell{Severity: 5, Target: FirstResponse, Kind: Duration, Duration: time.Hour, Clock: "24x7"}},
		{"cells[0].severity", Cell{Severity: 0, Target: FirstResponse, Kind: None}},
		{"cells[0].target", Cell{Severity: 1, Target: "lunch", Kind: None}},
		{"cells[0].target", Cell{Severity: 1, Target: Remediation, Kind: Duration, Duration: time.Hour, Clock: "24x7"}},
		{"cells[0].kind", Cell{Severity: 1, Target: FirstResponse, Kind: "soon"}},
		{"cells[0].clock", Cell{Severity: 1, Target: FirstResponse, Kind: Duration, Duration: time.Hour, Clock: "mars-business"}},
		{"cells[0].clock", Cell{Severity: 1, Target: FirstResponse, Kind: Duration, Duration: time.Hour}},
		{"cells[0].clock", Cell{Severity: 3, Target: FirstResponse, Kind: BusinessDays, BusinessDays: 1, Clock: "24x7"}},
		{"cells[0].business_days", Cell{Severity: 3, Target: FirstResponse, Kind: BusinessDays, Clock: "jp-business"}},
		{"cells[0].duration", Cell{Severity: 3, Target: Executive, Kind: None, Duration: time.Hour}},
	}
	for _, tt := range tests {
		p := Policy{Tier: Premium, Version: 2, Cells: []Cell{tt.cell}}
		err := p.Validate(cals.Has)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: want FieldError on %s, got %v", tt.cell, tt.field, err)
		}
	}
	dup := Policy{Tier: Premium, Cells: []Cell{{Severity: 1, Target: Executive, Kind: None}, {Severity: 1, Target: Executive, Kind: OnRequest}}}
	if err := dup.Validate(cals.Has); err == nil || err.(*FieldError).Field != "cells[1]" {
		t.Errorf("duplicate: %v", err)
	}
	if err := (Policy{Tier: "gold"}).Validate(cals.Has); err == nil || err.(*FieldError).Field != "tier" {
		t.Errorf("tier: %v", err)
	}
	// nil knows no calendar but 24x7.
	if err := policyFor(Premium).Validate(nil); err != nil {
		t.Errorf("premium is all 24x7, nil lookup: %v", err)
	}
	if err := policyFor(Standard).Validate(nil); err == nil {
		t.Error("standard names jp-business, nil lookup must reject it")
	}
}

func TestPolicyMerge(t *testing.T) {
	p := policyFor(Premium)
	got := p.Merge([]Cell{
		{Severity: 1, Target: FirstResponse, Kind: Duration, Duration: 2 * time.Second, Clock: "24x7"},
		{Severity: 4, Target: Executive, Kind: OnRequest},
	})
	if c, _ := got.Cell(1, FirstResponse); c.Duration != 2*time.Second {
		t.Errorf("merged cell = %+v", c)
	}
	if c, _ := got.Cell(4, Executive); c.Kind != OnRequest {
		t.Errorf("merged cell = %+v", c)
	}
	if c, _ := got.Cell(2, SupportManager); c.Duration != 72*time.Hour {
		t.Errorf("cell not given changed: %+v", c)
	}
	if len(got.Cells) != 16 || got.Version != p.Version || got.Tier != Premium {
		t.Errorf("merge result %d cells, version %d", len(got.Cells), got.Version)
	}
	if c, _ := p.Cell(1, FirstResponse); c.Duration != time.Hour {
		t.Error("Merge changed the original policy")
	}
	// A cell not in the policy is added, in order.
	small := Policy{Tier: Standard, Cells: []Cell{{Severity: 2, Target: Executive, Kind: None}}}
	small = small.Merge([]Cell{{Severity: 1, Target: UpdateCadence, Kind: None}})
	if len(small.Cells) != 2 || small.Cells[0].Severity != 1 {
		t.Errorf("added cell: %+v", small.Cells)
	}
}

func TestParseNames(t *testing.T) {
	if tier, err := ParseTier("platinum"); err != nil || tier != Platinum {
		t.Error("ParseTier(platinum)")
	}
	if _, err := ParseTier("gold"); !errors.Is(err, ErrInvalid) {
		t.Error("ParseTier(gold) accepted")
	}
	if tg, ok := ParseTarget("remediation"); !ok || tg != Remediation {
		t.Error("ParseTarget")
	}
	if SupportManager.Level() != 1 || Executive.Level() != 2 || FirstResponse.Level() != 0 {
		t.Error("Level")
	}
	if tg, ok := EscalationTarget(2); !ok || tg != Executive {
		t.Error("EscalationTarget")
	}
}

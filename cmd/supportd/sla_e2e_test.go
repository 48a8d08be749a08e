package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

func targetOf(t *testing.T, r reply, name string) map[string]any {
	t.Helper()
	sla, ok := r.Body["sla"].(map[string]any)
	if !ok {
		sla = r.Body
	}
	targets, _ := sla["targets"].([]any)
	if targets == nil {
		t.Fatalf("no sla targets in %s", r.Raw)
	}
	for _, x := range targets {
		m := x.(map[string]any)
		if m["target"] == name {
			return m
		}
	}
	t.Fatalf("no %s target in %s", name, r.Raw)
	return nil
}

func parseTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %v: %v", v, err)
	}
	return tm
}

// TestSLAPoliciesCalendarsPreview drives issue 3's API on a running supportd.
func TestSLAPoliciesCalendarsPreview(t *testing.T) {
	p := start(t, "DATABASE_URL="+testenv.FreshDatabase(t)) // policies are global: its own database
	w := setup(t, p, fmt.Sprintf("sla-%d", time.Now().UnixNano()))
	tokyo, _ := time.LoadLocation("Asia/Tokyo")

	t.Run("default matrix and incident sla block", func(t *testing.T) {
		pol := p.must(200, "GET", "/v1/policies", w.engineer, nil)
		if n := len(pol.Body["items"].([]any)); n != 3 {
			t.Fatalf("%d policies", n)
		}
		inc := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "down", "description": "d", "severity": 1})
		fr := targetOf(t, inc, "first_response")
		if fr["state"] != "pending" || parseTime(t, fr["due_at"]).Sub(parseTime(t, inc.Body["accepted_at"])) != time.Hour {
			t.Fatalf("platinum sev 1 first response: %v", fr)
		}
		sm := targetOf(t, inc, "support_manager")
		if parseTime(t, sm["due_at"]).Sub(parseTime(t, inc.Body["accepted_at"])) != 2*time.Hour {
			t.Fatalf("platinum sev 1 support manager: %v", sm)
		}
		got := p.must(200, "GET", "/v1/incidents/"+inc.str("id"), w.memberA, nil)
		if targetOf(t, got, "executive")["due_at"] == nil {
			t.Fatalf("executive target missing: %s", got.Raw)
		}
	})

	t.Run("editing a policy never rewrites the past", func(t *testing.T) {
		before := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "before", "description": "d", "severity": 2})
		put := p.must(200, "PUT", "/v1/policies/platinum", adminToken, map[string]any{"cells": []any{
			map[string]any{"severity": 2, "target": "first_response", "duration": "2s", "clock": "24x7"},
			map[string]any{"severity": 2, "target": "support_manager", "seconds": 4},
		}})
		version := put.Body["version"].(float64)
		if version < 2 {
			t.Fatalf("version %v", version)
		}
		after := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "after", "description": "d", "severity": 2})
		if after.Body["policy_version"].(float64) != version {
			t.Fatalf("new incident planned with %v, want %v", after.Body["policy_version"], version)
		}
		if d := parseTime(t, targetOf(t, after, "first_response")["due_at"]).Sub(parseTime(t, after.Body["accepted_at"])); d != 2*time.Second {
			t.Fatalf("drill policy first response %v", d)
		}
		again := p.must(200, "GET", "/v1/incidents/"+before.str("id"), w.memberA, nil)
		if d := parseTime(t, targetOf(t, again, "first_response")["due_at"]).Sub(parseTime(t, before.Body["accepted_at"])); d != 2*time.Hour {
			t.Fatalf("older incident re-planned: first response after %v", d)
		}
		// Cells not given kept their value: platinum severity 2's update cadence is still daily.
		acked := p.must(200, "POST", "/v1/sla/preview", w.engineer, map[string]any{"tier": "platinum", "severity": 2,
			"accepted_at": after.Body["accepted_at"], "events": []any{map[string]any{"kind": "acknowledged", "at": after.Body["accepted_at"]}}})
		if targetOf(t, acked, "update_cadence")["due_at"] == nil ||
			parseTime(t, targetOf(t, acked, "update_cadence")["due_at"]).Sub(parseTime(t, after.Body["accepted_at"])) != 24*time.Hour {
			t.Fatalf("update cadence after the edit: %s", acked.Raw)
		}
	})

	t.Run("policy validation names the field", func(t *testing.T) {
		cases := []struct {
			cell  map[string]any
			field string
		}{
			{map[string]any{"severity": 1, "target": "first_response", "duration": "-1h"}, "cells[0].duration"},
			{map[string]any{"severity": 7, "target": "first_response", "duration": "1h"}, "cells[0].severity"},
			{map[string]any{"severity": 1, "target": "first_response", "duration": "1h", "clock": "mars-business"}, "cells[0].clock"},
			{map[string]any{"severity": 1, "target": "lunch", "duration": "1h"}, "cells[0].target"},
		}
		for _, c := range cases {
			r := p.call("PUT", "/v1/policies/premium", adminToken, map[string]any{"cells": []any{c.cell}})
			if r.Status != 422 || r.errField() != c.field {
				t.Errorf("%v: %d %s", c.cell, r.Status, r.Raw)
			}
		}
		if r := p.call("PUT", "/v1/policies/premium", w.engineer, map[string]any{"cells": []any{}}); r.Status != 403 {
			t.Errorf("engineer edits policy: %d", r.Status)
		}
	})

	t.Run("calendars", func(t *testing.T) {
		ny := map[string]any{"time_zone": "America/New_York",
			"weekly": map[string]any{"monday": []any{map[string]any{"open": "09:00", "close": "12:00"}, map[string]any{"open": "13:00", "close": "17:00"}},
				"tuesday": []any{map[string]any{"open": "09:00", "close": "17:00"}}},
			"holidays": []any{"2026-12-24"}}
		r := p.must(200, "PUT", "/v1/calendars/ny-business", adminToken, ny)
		if r.str("time_zone") != "America/New_York" {
			t.Fatalf("%s", r.Raw)
		}
		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"time_zone": "Mars/Olympus", "weekly": map[string]any{}}, "time_zone"},
			{map[string]any{"time_zone": "UTC", "weekly": map[string]any{"monday": []any{map[string]any{"open": "09:00", "close": "12:00"}, map[string]any{"open": "11:00", "close": "13:00"}}}}, "weekly.monday[1]"},
			{map[string]any{"time_zone": "UTC", "weekly": map[string]any{"friday": []any{map[string]any{"open": "09:00", "close": "17:00"}}}, "holidays": []any{"2026-13-40"}}, "holidays[0]"},
		}
		for _, b := range bad {
			r := p.call("PUT", "/v1/calendars/broken", adminToken, b.body)
			if r.Status != 422 || r.errField() != b.field {
				t.Errorf("%v: %d %s", b.body, r.Status, r.Raw)
			}
		}
		list := p.must(200, "GET", "/v1/calendars", w.memberA, nil)
		if len(list.Body["items"].([]any)) < 2 {
			t.Fatalf("%s", list.Raw)
		}
	})

	t.Run("preview", func(t *testing.T) {
		friday := time.Date(2026, 11, 20, 16, 0, 0, 0, tokyo)
		r := p.must(200, "POST", "/v1/sla/preview", w.engineer, map[string]any{"tier": "standard", "severity": 3, "accepted_at": friday})
		fr := targetOf(t, r, "first_response")
		if want := time.Date(2026, 11, 24, 16, 0, 0, 0, tokyo); !parseTime(t, fr["due_at"]).Equal(want) {
			// Monday 23 Nov 2026 is Labour Thanksgiving Day: one business day runs to Tuesday 16:00.
			t.Fatalf("first response due %v, want %v", fr["due_at"], want)
		}
		if len(fr["explanation"].([]any)) < 3 {
			t.Fatalf("explanation too thin: %v", fr["explanation"])
		}
		sat := time.Date(2026, 11, 14, 10, 0, 0, 0, tokyo)
		r = p.must(200, "POST", "/v1/sla/preview", w.engineer, map[string]any{"tier": "standard", "severity": 4, "accepted_at": sat})
		if want := time.Date(2026, 11, 16, 17, 30, 0, 0, tokyo); !parseTime(t, targetOf(t, r, "first_response")["due_at"]).Equal(want) {
			t.Fatalf("Saturday: %v, want %v", targetOf(t, r, "first_response")["due_at"], want)
		}
		r = p.must(200, "POST", "/v1/sla/preview", w.engineer, map[string]any{"tier": "standard", "severity": 2, "accepted_at": friday, "calendar": "ny-business"})
		if targetOf(t, r, "first_response")["clock"] != "ny-business" {
			t.Fatalf("calendar override: %s", r.Raw)
		}
		if r := p.call("POST", "/v1/sla/preview", w.engineer, map[string]any{"tier": "gold", "severity": 3, "accepted_at": friday}); r.Status != 422 || r.errField() != "tier" {
			t.Fatalf("bad tier: %d %s", r.Status, r.Raw)
		}
	})
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/testenv"
)

// drillPolicy makes platinum severity 1 a second-scale drill: response 2 s, update cadence 3 s,
// support manager at 4 s, executive at 8 s (spaced so that checks between them have margin on a
// loaded CI machine).
func drillPolicy(t *testing.T, p *proc) {
	t.Helper()
	p.must(200, "PUT", "/v1/policies/platinum", adminToken, map[string]any{"cells": []any{
		map[string]any{"severity": 1, "target": "first_response", "seconds": 2},
		map[string]any{"severity": 1, "target": "update_cadence", "seconds": 3},
		map[string]any{"severity": 1, "target": "support_manager", "seconds": 4},
		map[string]any{"severity": 1, "target": "executive", "seconds": 8},
	}})
}

type firing struct {
	kind  string
	level int
	at    time.Time
	due   time.Time
}

// firings returns the breaches and escalations on an incident's timeline.
func firings(t *testing.T, p *proc, token, id string) []firing {
	t.Helper()
	r := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", token, nil)
	var out []firing
	for _, x := range r.Body["events"].([]any) {
		e := x.(map[string]any)
		k := e["kind"].(string)
		if k != "sla_breached" && k != "escalated" {
			continue
		}
		d := e["data"].(map[string]any)
		f := firing{kind: k, at: parseTime(t, e["at"])}
		if d["due_at"] != nil {
			f.due = parseTime(t, d["due_at"])
		}
		if l, ok := d["level"].(float64); ok {
			f.level = int(l)
		}
		if k == "sla_breached" {
			f.kind += ":" + d["target"].(string)
		}
		out = append(out, f)
	}
	return out
}

func kinds(fs []firing) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s%s", f.kind, map[bool]string{true: fmt.Sprint(f.level), false: ""}[f.level > 0]))
	}
	return out
}

// checkTimely fails on a firing recorded before its deadline (a false accusation) or later than
// the bound.
func checkTimely(t *testing.T, fs []firing, bound time.Duration) {
	t.Helper()
	for _, f := range fs {
		if f.at.Before(f.due) {
			t.Errorf("%s recorded %v before its deadline", f.kind, f.due.Sub(f.at))
		}
		if late := f.at.Sub(f.due); late > bound {
			t.Errorf("%s late by %v (bound %v)", f.kind, late, bound)
		}
	}
}

// TestDeadlinesFireOnTime runs real second-scale deadlines through `supportd serve` and two
// `supportd work` processes.
func TestDeadlinesFireOnTime(t *testing.T) {
	// Its own database: the drill policy and the escalation counts must not meet other tests'.
	db := "DATABASE_URL=" + testenv.FreshDatabase(t)
	p := start(t, db)
	startWorker(t, db, "RECONCILE_INTERVAL=2s")
	startWorker(t, db, "RECONCILE_INTERVAL=2s")
	w := setup(t, p, fmt.Sprintf("timers-%d", time.Now().UnixNano()))
	drillPolicy(t, p)
	mgrID := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": fmt.Sprintf("mgr-%d@vendor.example", time.Now().UnixNano()), "name": "M", "role": "support_manager", "office": "tokyo"}).str("id")
	mgr := p.must(201, "POST", "/v1/users/"+mgrID+"/tokens", adminToken, nil).str("token")
	open := func(title string) string {
		return p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": title, "description": "d", "severity": 1}).str("id")
	}
	unanswered := open("unanswered")
	acked := open("acknowledged")
	waiting := open("waiting")
	lowered := open("lowered")
	resolved := open("resolved")
	for _, id := range []string{acked, waiting} {
		p.must(200, "POST", "/v1/incidents/"+id+"/assign", w.engineer, nil)
		p.must(200, "POST", "/v1/incidents/"+id+"/acknowledge", w.engineer, map[string]any{"message": "on it"})
	}
	p.must(200, "POST", "/v1/incidents/"+waiting+"/wait", w.engineer, map[string]any{"reason": "need logs"})
	p.must(200, "PATCH", "/v1/incidents/"+lowered, w.engineer, map[string]any{"severity": 3, "reason": "workaround found"})
	p.must(200, "POST", "/v1/incidents/"+resolved+"/resolve", w.engineer, map[string]any{"resolution": "config fixed"})

	time.Sleep(5 * time.Second)
	// The customer answers after 5 s of waiting: the clocks resume with what they had left.
	replied := time.Now()
	p.must(200, "POST", "/v1/incidents/"+waiting+"/updates", w.memberA, map[string]any{"body": "logs attached"})
	time.Sleep(5 * time.Second)

	bound := 1500 * time.Millisecond
	fs := firings(t, p, w.engineer, unanswered)
	if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:first_response escalated1 escalated2]" {
		t.Fatalf("unanswered incident: %s", got)
	}
	checkTimely(t, fs, bound)
	inc := p.must(200, "GET", "/v1/incidents/"+unanswered, w.memberA, nil)
	if inc.Body["escalation_level"].(float64) != 2 || targetOf(t, inc, "first_response")["state"] != "breached" {
		t.Fatalf("unanswered: %s", inc.Raw)
	}

	fs = firings(t, p, w.engineer, acked)
	if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:update_cadence escalated1 escalated2]" {
		t.Fatalf("acknowledged (no update given, not resolved): %s", got)
	}
	checkTimely(t, fs, bound)

	fs = firings(t, p, w.engineer, waiting)
	// Paused after ~0.5 s with ~3.5 s left to level 1, ~7.5 s to level 2 and ~2.5 s of cadence:
	// after the reply at +5.5 s the cadence and level 1 fall due ~2.5–3.5 s later, level 2 not yet.
	if got := fmt.Sprint(kinds(fs)); got != "[sla_breached:update_cadence escalated1]" {
		t.Fatalf("waiting incident: %s", got)
	}
	for _, f := range fs {
		if f.at.Before(replied.Add(2 * time.Second)) {
			t.Fatalf("waiting did not pause the clocks: %s at %v, reply at %v", f.kind, f.at, replied)
		}
	}
	checkTimely(t, fs, bound)

	for name, id := range map[string]string{"lowered to severity 3": lowered, "resolved": resolved} {
		if fs := firings(t, p, w.engineer, id); len(fs) != 0 {
			t.Errorf("%s incident fired: %v", name, kinds(fs))
		}
	}

	// The office's support manager received the level-1 escalations and acknowledges one.
	esc := p.must(200, "GET", "/v1/escalations", mgr, nil)
	items := esc.Body["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("manager has %d escalations, want 3 (unanswered, acknowledged, waiting): %s", len(items), esc.Raw)
	}
	id := items[0].(map[string]any)["id"].(string)
	if r := p.must(200, "POST", "/v1/escalations/"+id+"/acknowledge", mgr, nil); r.Body["acknowledged_at"] == nil {
		t.Fatalf("%s", r.Raw)
	}
	if r := p.call("POST", "/v1/escalations/"+id+"/acknowledge", w.engineer, nil); r.Status != 404 {
		t.Fatalf("someone else's escalation: %d", r.Status)
	}
	notes := p.must(200, "GET", "/v1/notifications", mgr, nil)
	if len(notes.Body["items"].([]any)) < 3 {
		t.Fatalf("manager inbox: %s", notes.Raw)
	}
}

// TestWebhookOnEscalation: an admin subscribes an endpoint; an escalation reaches it through the
// outbox, signed so the receiver can verify it, from a real `supportd work`.
// The receiver is a local httptest server, so the operator's switch for private targets is on;
// the secret is sealed at rest by serve and opened by work with the same SECRET_KEY.
func TestWebhookOnEscalation(t *testing.T) {
	dsn := testenv.FreshDatabase(t)
	db := "DATABASE_URL=" + dsn
	const key = "SECRET_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	p := start(t, db, "WEBHOOK_ALLOW_PRIVATE=true", key)
	startWorker(t, db, "RECONCILE_INTERVAL=2s", "WEBHOOK_ALLOW_PRIVATE=true", key)
	w := setup(t, p, fmt.Sprintf("hook-%d", time.Now().UnixNano()))
	drillPolicy(t, p)
	got := make(chan map[string]any, 10)
	var secret []byte
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get(escalation.HeaderTimestamp), 10, 64)
		if escalation.Sign(secret, ts, body) != r.Header.Get(escalation.HeaderSignature) {
			rw.WriteHeader(401)
			t.Errorf("bad signature on %s", body)
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		got <- m
	}))
	defer srv.Close()
	hook := p.must(201, "POST", "/v1/webhooks", adminToken, map[string]any{"url": srv.URL, "events": []string{"escalation"}})
	secret = []byte(hook.str("secret"))
	if len(secret) == 0 {
		t.Fatalf("no generated secret: %s", hook.Raw)
	}
	if list := p.must(200, "GET", "/v1/webhooks", adminToken, nil); strings.Contains(string(list.Raw), hook.str("secret")) {
		t.Fatal("the secret is shown again")
	}
	var stored []byte
	if err := testenv.OpenDB(t, dsn).Raw("SELECT secret FROM webhooks WHERE id = ?", hook.str("id")).Row().Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(stored), "sbx1:") || strings.Contains(string(stored), hook.str("secret")) {
		t.Fatalf("the secret is stored as %q, want sealed", stored)
	}
	id := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "hooked", "description": "d", "severity": 1}).str("id")
	select {
	case m := <-got:
		if m["kind"] != "escalation" || m["incident_id"] != id {
			t.Fatalf("webhook body %v", m)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no signed webhook for the escalation")
	}
}

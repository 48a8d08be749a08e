package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/supportd/supportd/internal/testenv"
)

// warningDrill makes platinum severity 1 a second-scale drill with warnings: first response 4 s
// (warned at 2 s), update cadence 6 s (warned at 3 s), support manager 8 s with its managers told
// ahead at 4 s; no executive.
func warningDrill(t *testing.T, p *proc) {
	t.Helper()
	r := p.must(200, "PUT", "/v1/policies/platinum", adminToken, map[string]any{"cells": []any{
		map[string]any{"severity": 1, "target": "first_response", "seconds": 4, "warnings": []float64{0.5}},
		map[string]any{"severity": 1, "target": "update_cadence", "seconds": 6, "warnings": []float64{0.5}},
		map[string]any{"severity": 1, "target": "support_manager", "seconds": 8, "warnings": []float64{0.5}},
		map[string]any{"severity": 1, "target": "executive", "none": true},
	}})
	if !strings.Contains(string(r.Raw), `"warnings":[0.5]`) {
		t.Fatalf("policy does not show its warnings: %s", r.Raw)
	}
}

type warned struct {
	target string
	at     time.Time
	warnAt time.Time
}

// warningsOn returns the sla_warning entries of an incident's timeline as the token reads it.
func warningsOn(t *testing.T, p *proc, token, id string) []warned {
	t.Helper()
	r := p.must(200, "GET", "/v1/incidents/"+id+"/timeline", token, nil)
	var out []warned
	for _, x := range r.Body["events"].([]any) {
		e := x.(map[string]any)
		if e["kind"] != "sla_warning" {
			continue
		}
		d := e["data"].(map[string]any)
		out = append(out, warned{target: d["target"].(string), at: parseTime(t, e["at"]), warnAt: parseTime(t, d["warn_at"])})
	}
	return out
}

func countTargets(ws []warned) map[string]int {
	out := map[string]int{}
	for _, w := range ws {
		out[w.target]++
	}
	return out
}

// scrape reads a Prometheus text exposition into "name{label="v",…}" → value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("%s: %q", url, line)
		}
		out[line[:i]] = v
	}
	return out
}

// metric sums a series over every scraped process; want lists label="value" pairs it must carry.
func metric(scrapes []map[string]float64, name string, want ...string) (float64, bool) {
	sum, found := 0.0, false
	for _, s := range scrapes {
		for k, v := range s {
			n, labels, _ := strings.Cut(k, "{")
			if n != name {
				continue
			}
			ok := true
			for _, w := range want {
				if !strings.Contains(labels, w) {
					ok = false
				}
			}
			if ok {
				sum, found = sum+v, true
			}
		}
	}
	return sum, found
}

var metricsAddr = regexp.MustCompile(`"msg":"metrics listening","addr":"([^"]+)"`)

// workerMetrics returns the /metrics URL a worker logged.
func workerMetrics(t *testing.T, p *proc) string {
	t.Helper()
	var url string
	waitFor(t, 10*time.Second, "the worker's metrics listener", func() bool {
		m := metricsAddr.FindStringSubmatch(p.Logs())
		if m != nil {
			url = "http://" + m[1] + "/metrics"
		}
		return m != nil
	})
	return url
}

// TestWarningsAndMetricsDrill runs second-scale warnings through `supportd serve` and two
// `supportd work` processes: each warning is told once, on the staff timeline only, at or after
// its point; acknowledging cancels the first response's; waiting moves the cadence's and the
// manager's past the reply; a resolved incident is warned of nothing; the support managers hear of
// the coming escalations. Then it scrapes /metrics of the three processes and finds each series
// of the drill with its count, and checks that the dashboard and the alert rules read only
// series the engine serves.
func TestWarningsAndMetricsDrill(t *testing.T) {
	dsn := testenv.FreshDatabase(t)
	env := []string{"DATABASE_URL=" + dsn, "WEBHOOK_ALLOW_PRIVATE=true"}
	p := start(t, env...)
	w1 := startWorker(t, append(env, "RECONCILE_INTERVAL=2s", "METRICS_ADDR=127.0.0.1:0")...)
	w2 := startWorker(t, append(env, "RECONCILE_INTERVAL=2s", "METRICS_ADDR=127.0.0.1:0")...)
	urls := []string{p.base + "/metrics", workerMetrics(t, w1), workerMetrics(t, w2)}
	w := setup(t, p, fmt.Sprintf("warn-%d", time.Now().UnixNano()))
	warningDrill(t, p)
	mgrID := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": fmt.Sprintf("mgr-%d@vendor.example", time.Now().UnixNano()), "name": "M", "role": "support_manager", "office": "tokyo"}).str("id")
	mgr := p.must(201, "POST", "/v1/users/"+mgrID+"/tokens", adminToken, nil).str("token")
	// A webhook that never answers: its warning deliveries fail and wait in the outbox.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	p.must(201, "POST", "/v1/webhooks", adminToken, map[string]any{"url": "http://" + dead + "/hook", "events": []string{"sla_warning"}})

	// The preview shows the drill's warning points.
	prev := p.must(200, "POST", "/v1/sla/preview", adminToken, map[string]any{"tier": "platinum", "severity": 1, "accepted_at": "2026-12-01T10:00:00Z"})
	if !strings.Contains(string(prev.Raw), `"warnings":[{"point":0.5,"at":"2026-12-01T10:00:02Z"}]`) {
		t.Fatalf("preview without the first response's warning at 2 s: %s", prev.Raw)
	}
	open := func(title string, sev int) string {
		return p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": title, "description": "d", "severity": sev}).str("id")
	}
	unanswered, acked, waiting, resolved := open("unanswered", 1), open("acknowledged", 1), open("waiting", 1), open("resolved", 1)
	requested := open("requested", 2) // platinum severity 2: the executive on request
	for _, id := range []string{acked, waiting} {
		p.must(200, "POST", "/v1/incidents/"+id+"/assign", w.engineer, nil)
		p.must(200, "POST", "/v1/incidents/"+id+"/acknowledge", w.engineer, map[string]any{"message": "on it"})
	}
	p.must(200, "POST", "/v1/incidents/"+waiting+"/wait", w.engineer, map[string]any{"reason": "need logs"})
	p.must(200, "POST", "/v1/incidents/"+resolved+"/resolve", w.engineer, map[string]any{"resolution": "fixed"})
	p.must(201, "POST", "/v1/incidents/"+requested+"/escalation-requests", w.memberA, map[string]any{"level": 2, "reason": "board asks"})

	// At risk within the hour: the unanswered drill incident (deadlines within seconds) is; the
	// severity 2 one (first response in 2 h) and the resolved one are not.
	for _, path := range []string{"/v1/queue?due_within=1h", "/v1/incidents?due_within=3600"} {
		risk := p.must(200, "GET", path, w.engineer, nil)
		if !strings.Contains(string(risk.Raw), unanswered) || strings.Contains(string(risk.Raw), requested) || strings.Contains(string(risk.Raw), resolved) {
			t.Fatalf("%s: %s", path, risk.Raw)
		}
	}
	if r := p.call("GET", "/v1/incidents?due_within=soon", w.engineer, nil); r.Status != 422 || r.errField() != "due_within" {
		t.Fatalf("due_within=soon: %d %s", r.Status, r.Raw)
	}

	time.Sleep(4 * time.Second)
	replied := time.Now()
	p.must(200, "POST", "/v1/incidents/"+waiting+"/updates", w.memberA, map[string]any{"body": "logs attached"})
	time.Sleep(10 * time.Second)

	for name, c := range map[string]struct {
		id   string
		want map[string]int
	}{
		"unanswered":   {unanswered, map[string]int{"first_response": 1, "support_manager": 1}},
		"acknowledged": {acked, map[string]int{"update_cadence": 1, "support_manager": 1}},
		"waiting":      {waiting, map[string]int{"update_cadence": 1, "support_manager": 1}},
		"resolved":     {resolved, map[string]int{}},
	} {
		ws := warningsOn(t, p, w.engineer, c.id)
		if got := countTargets(ws); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: warnings %v, want %v", name, got, c.want)
		}
		for _, x := range ws {
			if x.at.Before(x.warnAt) {
				t.Errorf("%s: %s warned %v before its point", name, x.target, x.warnAt.Sub(x.at))
			}
			if late := x.at.Sub(x.warnAt); late > 1500*time.Millisecond {
				t.Errorf("%s: %s warned %v late", name, x.target, late)
			}
			if name == "waiting" && x.at.Before(replied.Add(2*time.Second)) {
				t.Errorf("waiting: %s warned at %v, before the paused clock could reach its point (reply %v)", x.target, x.at, replied)
			}
		}
		if ws := warningsOn(t, p, w.memberA, c.id); len(ws) != 0 {
			t.Errorf("%s: the customer reads %d warnings", name, len(ws))
		}
	}
	notes := p.must(200, "GET", "/v1/notifications", mgr, nil)
	if n := strings.Count(string(notes.Raw), `"kind":"sla_warning"`); n != 3 {
		t.Errorf("the support manager has %d warnings of coming escalations, want 3: %s", n, notes.Raw)
	}

	var scrapes []map[string]float64
	for _, u := range urls {
		scrapes = append(scrapes, scrape(t, u))
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) float64 {
		var n float64
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Counts per process, summed; PostgreSQL-derived gauges read from the API's scrape.
	api := scrapes[:1]
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"supportd_sla_warnings_sent_total", []string{`target="first_response"`}, 1},
		{"supportd_sla_warnings_sent_total", []string{`target="update_cadence"`}, 2},
		{"supportd_sla_warnings_sent_total", []string{`target="support_manager"`}, 3},
		{"supportd_sla_deadlines_fired_total", []string{`target="first_response"`, `outcome="breached"`}, 1},
		{"supportd_sla_deadlines_fired_total", []string{`target="update_cadence"`, `outcome="breached"`}, 2},
		{"supportd_sla_deadlines_fired_total", []string{`target="support_manager"`, `outcome="escalated"`}, 3},
		{"supportd_sla_deadline_lateness_seconds_count", nil, 6},
		{"supportd_escalations_total", []string{`level="1"`, `cause="deadline"`}, 3},
		{"supportd_escalations_total", []string{`level="2"`, `cause="request"`}, 1},
		{"supportd_reconcile_repairs_total", []string{`kind="redis_lost"`}, 0},
		{"supportd_renewal_reminders_sent_total", nil, 0},
		{"supportd_reconcile_interval_seconds", nil, 4}, // 2 s on each worker
	} {
		got, ok := metric(scrapes, c.name, c.labels...)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	for _, c := range []struct {
		name   string
		labels []string
		query  string
	}{
		{"supportd_sla_timers_pending", []string{`kind="deadline"`}, "SELECT count(*) FROM sla_timers WHERE state = 'pending' AND warning = 0"},
		{"supportd_sla_timers_pending", []string{`kind="warning"`}, "SELECT count(*) FROM sla_timers WHERE state = 'pending' AND warning > 0"},
		{"supportd_outbox_backlog", []string{`channel="webhook"`}, "SELECT count(*) FROM notifications WHERE state = 'pending' AND channel = 'webhook'"},
	} {
		got, ok := metric(api, c.name, c.labels...)
		if want := count(c.query); !ok || got != want {
			t.Errorf("%s%v = %v (present %v), want %v as PostgreSQL counts", c.name, c.labels, got, ok, want)
		}
	}
	if n, _ := metric(api, "supportd_outbox_backlog", `channel="webhook"`); n < 1 {
		t.Error("the dead webhook's warnings are not in the outbox backlog")
	}
	if n, _ := metric(scrapes, "supportd_outbox_delivery_failures_total", `channel="webhook"`); n < 1 {
		t.Error("no webhook delivery failure counted")
	}
	if n, ok := metric(api, "supportd_sla_oldest_overdue_seconds"); !ok || n > 2 {
		t.Errorf("oldest overdue timer %v s (present %v), want at most the reconciliation interval", n, ok)
	}

	// The dashboard and the alert rules read only series the engine serves (mailbox series
	// exist once a mailbox does).
	served := map[string]bool{}
	for _, s := range scrapes {
		for k := range s {
			n, _, _ := strings.Cut(k, "{")
			served[n] = true
		}
	}
	for _, f := range []string{"../../docs/grafana-dashboard.json", "../../docs/alerts.yml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range regexp.MustCompile(`supportd_[a-z0-9_]+`).FindAllString(string(b), -1) {
			if !served[n] && !served[n+"_bucket"] && !strings.HasPrefix(n, "supportd_mailbox_") && !strings.HasSuffix(n, "_") {
				t.Errorf("%s reads %s, which no process serves", f, n)
			}
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// proc is a supportd process started for a test.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
	mu   *sync.Mutex
	done chan error
}

var buildOnce sync.Once
var binPath string

// build compiles supportd once per test run.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "supportd-bin")
		if err != nil {
			t.Fatal(err)
		}
		binPath = filepath.Join(dir, "supportd")
		out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("build supportd: %v\n%s", err, out)
		}
	})
	if binPath == "" {
		t.Fatal("build failed earlier")
	}
	return binPath
}

// start runs `supportd serve` on a free port against this package's database and Redis; env
// entries override (DATABASE_URL, REDIS_URL, …).
func start(t *testing.T, env ...string) *proc {
	t.Helper()
	return startCmd(t, "serve", env...)
}

// startWorker runs `supportd work`.
func startWorker(t *testing.T, env ...string) *proc {
	t.Helper()
	return startCmd(t, "work", env...)
}

func startCmd(t *testing.T, sub string, env ...string) *proc {
	t.Helper()
	rc := testenv.Redis(t)
	cmd := exec.Command(build(t), sub)
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+testenv.Postgres(t), "REDIS_URL="+rc.URL, "LISTEN_ADDR=127.0.0.1:0",
		"SUPPORT_ADMIN_TOKEN="+adminToken, "LOG_LEVEL=info", "SHUTDOWN_TIMEOUT=5s")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && (rec.Msg == "api listening" || rec.Msg == "workers running") {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case a := <-addr:
		if a != "" {
			p.base = "http://" + a
		}
	case err := <-p.done:
		t.Fatalf("supportd exited early: %v\n%s", err, p.Logs())
	case <-time.After(60 * time.Second):
		t.Fatalf("supportd did not listen in time\n%s", p.Logs())
	}
	return p
}

// Logs returns what the process logged so far.
func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

const adminToken = "test-admin-token-0123456789"

// reply is a decoded HTTP response.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// errCode returns error.code of an error envelope.
func (r reply) errCode() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func (r reply) errField() string {
	e, _ := r.Body["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

func (r reply) str(key string) string { s, _ := r.Body[key].(string); return s }

// call sends a request; body may be a string (sent raw), nil, or a value marshalled to JSON.
func (p *proc) call(method, path, token string, body any, headers ...string) reply {
	p.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{Status: res.StatusCode, Header: res.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

// must asserts the status and returns the reply.
func (p *proc) must(status int, method, path, token string, body any, headers ...string) reply {
	p.t.Helper()
	r := p.call(method, path, token, body, headers...)
	if r.Status != status {
		p.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Raw)
	}
	return r
}

// world is a small set of organisations and users made through the API.
type world struct {
	orgA, orgB                   string
	memberA, memberB, engineer   string // tokens
	memberAID, engineerID, admin string
}

func setup(t *testing.T, p *proc, suffix string) world {
	t.Helper()
	w := world{admin: adminToken}
	w.orgA = p.must(201, "POST", "/v1/organizations", adminToken, map[string]any{"name": "Acme " + suffix, "office": "tokyo", "tier": "platinum"}).str("id")
	w.orgB = p.must(201, "POST", "/v1/organizations", adminToken, map[string]any{"name": "Beta " + suffix, "office": "osaka", "tier": "standard"}).str("id")
	for org, tier := range map[string]string{w.orgA: "platinum", w.orgB: "standard"} {
		p.must(201, "POST", "/v1/organizations/"+org+"/entitlements", adminToken, map[string]any{
			"product": "endpoint", "tier": tier, "license_type": "subscription",
			"starts_at": time.Now().AddDate(0, -1, 0), "ends_at": time.Now().AddDate(1, 0, 0), "serial_number": "SN-" + org[:8]})
	}
	mk := func(email, role, org string) (id, token string) {
		body := map[string]any{"email": email, "name": email, "role": role}
		if org != "" {
			body["organization_id"] = org
		} else {
			body["office"] = "tokyo"
		}
		id = p.must(201, "POST", "/v1/users", adminToken, body).str("id")
		token = p.must(201, "POST", fmt.Sprintf("/v1/users/%s/tokens", id), adminToken, nil).str("token")
		return id, token
	}
	w.memberAID, w.memberA = mk("a-"+suffix+"@acme.example", "member", w.orgA)
	_, w.memberB = mk("b-"+suffix+"@beta.example", "member", w.orgB)
	w.engineerID, w.engineer = mk("e-"+suffix+"@vendor.example", "engineer", "")
	return w
}

func TestProcessEndToEnd(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("e2e-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)

	t.Run("bootstrap admin and auth", func(t *testing.T) {
		if got := p.must(200, "GET", "/v1/me", adminToken, nil).str("role"); got != "admin" {
			t.Fatalf("role %q", got)
		}
		if r := p.call("GET", "/v1/me", "", nil); r.Status != 401 || r.errCode() != "unauthorized" {
			t.Fatalf("no token: %d %s", r.Status, r.Raw)
		}
		if r := p.call("GET", "/v1/me", "spd_not-a-token", nil); r.Status != 401 {
			t.Fatalf("bad token: %d", r.Status)
		}
		if r := p.call("POST", "/v1/organizations", w.memberA, map[string]any{"name": "X"}); r.Status != 403 || r.errCode() != "forbidden" {
			t.Fatalf("member creating org: %d %s", r.Status, r.Raw)
		}
		if r := p.call("POST", "/v1/organizations", adminToken, map[string]any{"name": "ACME " + suffix}); r.Status != 409 {
			t.Fatalf("duplicate org: %d %s", r.Status, r.Raw)
		}
	})

	var incA string
	t.Run("intake stamps tier and severity", func(t *testing.T) {
		r := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "Down", "description": "All servers stopped", "severity": 1, "channel": "web"})
		incA = r.str("id")
		if r.str("tier") != "platinum" || r.Body["severity"].(float64) != 1 || r.str("status") != "new" || r.str("organization_id") != w.orgA {
			t.Fatalf("incident: %s", r.Raw)
		}
		if !strings.HasPrefix(r.str("reference"), "INC-") {
			t.Fatalf("reference %q", r.str("reference"))
		}
		// E-mail intake is recorded by staff (or the mail reader), never claimed by a customer.
		r = p.must(201, "POST", "/v1/incidents", w.engineer, map[string]any{"organization_id": w.orgA, "product": "endpoint", "title": "Mail", "description": "x", "severity": 1, "channel": "email"})
		if r.Body["severity"].(float64) != 3 || r.Body["requested_severity"].(float64) != 1 || r.Body["severity_confirmation_required"] != true {
			t.Fatalf("email rule: %s", r.Raw)
		}
		r = p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "No severity"})
		if r.Body["severity"].(float64) != 3 {
			t.Fatalf("default severity: %s", r.Raw)
		}
	})

	t.Run("another organisation's incident is a 404", func(t *testing.T) {
		if r := p.call("GET", "/v1/incidents/"+incA, w.memberB, nil); r.Status != 404 || r.errCode() != "not_found" {
			t.Fatalf("cross-org read: %d %s", r.Status, r.Raw)
		}
		if r := p.call("GET", "/v1/incidents/"+incA+"/timeline", w.memberB, nil); r.Status != 404 {
			t.Fatalf("cross-org timeline: %d", r.Status)
		}
		missing := p.call("GET", "/v1/incidents/0190aaaa-0000-7000-8000-000000000000", w.memberB, nil)
		if missing.Status != 404 || string(missing.Raw) != string(p.call("GET", "/v1/incidents/"+incA, w.memberB, nil).Raw) {
			t.Fatalf("a foreign incident must look exactly like a missing one")
		}
		p.must(200, "GET", "/v1/incidents/"+incA, w.memberA, nil)
		p.must(200, "GET", "/v1/incidents/"+incA, w.engineer, nil)
		list := p.must(200, "GET", "/v1/incidents", w.memberB, nil)
		if items := list.Body["items"].([]any); len(items) != 0 {
			t.Fatalf("B sees %d incidents of A", len(items))
		}
		list = p.must(200, "GET", "/v1/incidents?organization_id="+w.orgA, w.memberB, nil)
		if items := list.Body["items"].([]any); len(items) != 0 {
			t.Fatalf("B filtering by A's organisation sees %d incidents", len(items))
		}
	})

	t.Run("idempotent retry", func(t *testing.T) {
		body := map[string]any{"product": "endpoint", "title": "Retry me", "description": "d", "severity": 2}
		first := p.must(201, "POST", "/v1/incidents", w.memberA, body, "Idempotency-Key", "key-1")
		again := p.must(201, "POST", "/v1/incidents", w.memberA, body, "Idempotency-Key", "key-1")
		if first.str("id") != again.str("id") || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry created %s then %s", first.str("id"), again.str("id"))
		}
		if string(first.Raw) != string(again.Raw) {
			t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
		}
		body["title"] = "Something else"
		if r := p.call("POST", "/v1/incidents", w.memberA, body, "Idempotency-Key", "key-1"); r.Status != 422 || r.errCode() != "idempotency_key_reused" {
			t.Fatalf("reused key: %d %s", r.Status, r.Raw)
		}
		// Concurrent retries of one request create one incident.
		body["title"] = "Concurrent"
		ids := make(chan string, 8)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := p.call("POST", "/v1/incidents", w.memberA, body, "Idempotency-Key", "key-2")
				if r.Status != 201 {
					t.Errorf("concurrent retry: %d %s\n%s", r.Status, r.Raw, lastLines(p.Logs(), "request failed"))
				}
				ids <- r.str("id")
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 || seen[""] {
			t.Fatalf("concurrent retries gave %v", seen)
		}
		n := 0
		for _, it := range listAll(t, p, w.memberA) {
			if it["title"] == "Concurrent" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d incidents titled Concurrent", n)
		}
	})

	t.Run("error statuses", func(t *testing.T) {
		cases := []struct {
			name         string
			method, path string
			token        string
			body         any
			status       int
			code, field  string
		}{
			{"malformed json", "POST", "/v1/incidents", w.memberA, `{"product": `, 400, "malformed_json", ""},
			{"severity out of range", "POST", "/v1/incidents", w.memberA, map[string]any{"product": "p", "title": "t", "severity": 7}, 422, "out_of_range", "severity"},
			{"severity of wrong type", "POST", "/v1/incidents", w.memberA, `{"product":"p","title":"t","severity":"high"}`, 422, "invalid_value", "severity"},
			{"missing title", "POST", "/v1/incidents", w.memberA, map[string]any{"product": "p"}, 422, "invalid_value", "title"},
			{"bad channel", "POST", "/v1/incidents", w.memberA, map[string]any{"product": "p", "title": "t", "channel": "fax"}, 422, "invalid_value", "channel"},
			{"staff without organisation", "POST", "/v1/incidents", w.engineer, map[string]any{"product": "p", "title": "t"}, 422, "invalid_value", "organization_id"},
			{"bad e-mail", "POST", "/v1/users", adminToken, map[string]any{"email": "nope", "name": "n", "role": "member", "organization_id": w.orgA}, 422, "invalid_value", "email"},
			{"unknown route", "GET", "/v1/nothing", w.memberA, nil, 404, "not_found", ""},
			{"malformed id", "GET", "/v1/incidents/not-a-uuid", w.memberA, nil, 404, "not_found", ""},
			{"bad cursor", "GET", "/v1/incidents?cursor=zzz", w.memberA, nil, 422, "invalid_value", "cursor"},
			{"member may not create users of another org", "POST", "/v1/users", w.memberA, map[string]any{"email": "x@y.example", "name": "n", "role": "member", "organization_id": w.orgB}, 403, "forbidden", ""},
		}
		for _, c := range cases {
			r := p.call(c.method, c.path, c.token, c.body)
			if r.Status != c.status || r.errCode() != c.code || r.errField() != c.field {
				t.Errorf("%s: got %d %q field %q, want %d %q field %q: %.300s", c.name, r.Status, r.errCode(), r.errField(), c.status, c.code, c.field, r.Raw)
			}
			if strings.Contains(string(r.Raw), "SQLSTATE") || strings.Contains(string(r.Raw), "goroutine") {
				t.Errorf("%s leaks internals: %s", c.name, r.Raw)
			}
		}
	})

	t.Run("body too large", func(t *testing.T) {
		// Announce a 2 MiB body and send only the first 64 KiB: the server answers 413 from the
		// headers without waiting for the rest, and drains what follows so that a client still
		// writing is not reset (internal/api TestOversizeBodyGetsReadable413 sends it all).
		conn, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /v1/incidents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", w.memberA, 2<<20)
		if _, err := conn.Write(bytes.Repeat([]byte("x"), 64<<10)); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 413 || !strings.Contains(string(body), `"code":"body_too_large"`) {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})

	t.Run("staff open on a customer's behalf", func(t *testing.T) {
		r := p.must(201, "POST", "/v1/incidents", w.engineer, map[string]any{"organization_id": w.orgB, "product": "endpoint", "title": "Phoned in", "channel": "phone", "severity": 2, "description": "d"})
		if r.str("tier") != "standard" || r.Body["severity"].(float64) != 2 {
			t.Fatalf("%s", r.Raw)
		}
	})

	t.Run("cursor pagination", func(t *testing.T) {
		all := listAll(t, p, w.memberA)
		if len(all) < 5 {
			t.Fatalf("only %d incidents", len(all))
		}
		seen := map[string]bool{}
		for _, it := range all {
			id := it["id"].(string)
			if seen[id] {
				t.Fatalf("incident %s listed twice", id)
			}
			seen[id] = true
		}
	})

	t.Run("operations endpoints", func(t *testing.T) {
		p.must(200, "GET", "/healthz", "", nil)
		if r := p.must(200, "GET", "/readyz", "", nil); r.str("status") != "ok" {
			t.Fatalf("%s", r.Raw)
		}
		m := string(p.must(200, "GET", "/metrics", "", nil).Raw)
		for _, want := range []string{`supportd_http_requests_total{method="POST",route="/v1/incidents",status="201"}`, "supportd_http_request_duration_seconds_bucket", `supportd_queue_tasks{queue="critical",state="scheduled"}`} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s\n%s", want, m)
			}
		}
		doc := p.must(200, "GET", "/openapi.json", "", nil)
		if _, ok := doc.Body["paths"].(map[string]any)["/v1/incidents/{id}"]; !ok {
			t.Fatalf("openapi lacks /v1/incidents/{id}")
		}
		if !strings.Contains(p.Logs(), `"request_id"`) {
			t.Fatalf("logs carry no request IDs")
		}
	})

	t.Run("graceful shutdown", func(t *testing.T) {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-p.done:
			if err != nil {
				t.Fatalf("exit: %v\n%s", err, p.Logs())
			}
		case <-time.After(15 * time.Second):
			t.Fatal("no exit after SIGTERM")
		}
	})
}

// listAll follows next_cursor two at a time, to exercise pagination.
func listAll(t *testing.T, p *proc, token string) []map[string]any {
	t.Helper()
	var out []map[string]any
	path := "/v1/incidents?limit=2"
	for i := 0; i < 1000; i++ {
		r := p.must(200, "GET", path, token, nil)
		for _, it := range r.Body["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		next := r.str("next_cursor")
		if next == "" {
			return out
		}
		path = "/v1/incidents?limit=2&cursor=" + next
	}
	t.Fatal("pagination does not end")
	return nil
}

// lastLines returns the log lines containing s, for failure messages.
func lastLines(logs, s string) string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

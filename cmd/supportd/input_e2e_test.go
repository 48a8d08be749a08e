package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestEveryRouteRefusesBadInput sends, to every route of /openapi.json (generated from the route
// table), NUL, invalid UTF-8 and an oversize value in every body field and query parameter, and
// an unknown field: each is a 422 naming the field with a machine-readable code, never a 500.
func TestEveryRouteRefusesBadInput(t *testing.T) {
	p := start(t)
	w := setup(t, p, fmt.Sprintf("bad-%d", time.Now().UnixNano()))
	doc := p.must(200, "GET", "/openapi.json", "", nil).Body
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	tokens := map[string]string{"admin": adminToken, "engineer": w.engineer, "member": w.memberA}
	paths := doc["paths"].(map[string]any)
	var names []string
	for n := range paths {
		names = append(names, n)
	}
	sort.Strings(names)
	routes := 0
	for _, path := range names {
		concrete := strings.NewReplacer("{id}", "0190a4b8-0000-7000-8000-000000000001", "{user_id}", "0190a4b8-0000-7000-8000-000000000002",
			"{tier}", "premium", "{name}", "jp-business").Replace(path)
		for method, o := range paths[path].(map[string]any) {
			op := o.(map[string]any)
			method = strings.ToUpper(method)
			token := ""
			if roles, ok := op["x-roles"].([]any); ok {
				for _, want := range []string{"admin", "engineer", "member"} {
					for _, r := range roles {
						if r == want && token == "" {
							token = tokens[want]
						}
					}
				}
				if token == "" {
					t.Fatalf("%s %s: no test user has one of %v", method, path, roles)
				}
			}
			routes++
			name := method + " " + path
			expect := func(what string, r reply, field string) {
				t.Helper()
				if r.Status != 422 || r.errCode() == "" || r.errField() != field {
					t.Errorf("%s, %s: %d %s, want 422 naming %q", name, what, r.Status, r.Raw, field)
				}
			}
			if isUpload(op) {
				expect("unknown form field", p.call(method, concrete, token, uploadForm("zz_unknown", "a.txt"), "Content-Type", uploadType), "zz_unknown")
				// A NUL in a part's header breaks the MIME framing itself: a malformed request, not a value.
				if r := p.call(method, concrete, token, uploadForm("", "a\x00b.txt"), "Content-Type", uploadType); r.Status != 400 || r.errCode() != "malformed_request" {
					t.Errorf("%s, file name NUL: %d %s, want 400 malformed_request", name, r.Status, r.Raw)
				}
				expect("file name invalid UTF-8", p.call(method, concrete, token, uploadForm("", "a\xffb.txt"), "Content-Type", uploadType), "file")
			} else {
				expect("unknown field", p.call(method, concrete, token, `{"zz_unknown":1}`), "zz_unknown")
			}
			for _, q := range queryNames(op) {
				expect("query "+q+" NUL", p.call(method, concrete+"?"+q+"=a%00b", token, nil), q)
				expect("query "+q+" invalid UTF-8", p.call(method, concrete+"?"+q+"=a%FFb", token, nil), q)
				expect("query "+q+" oversize", p.call(method, concrete+"?"+q+"="+url.QueryEscape(strings.Repeat("9", 5000)), token, nil), q)
			}
			expect("unknown query parameter", p.call(method, concrete+"?zz_unknown=1", token, nil), "zz_unknown")
			rb, ok := op["requestBody"].(map[string]any)
			if !ok || isUpload(op) {
				continue
			}
			ref := rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["$ref"].(string)
			schema := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
			props := schema["properties"].(map[string]any)
			for field, ps := range props {
				// invalid_text, not unknown_field: the field the schema documents is one the route takes.
				if r := p.call(method, concrete, token, `{"`+field+`":"a\u0000b"}`); r.errCode() != "invalid_text" {
					t.Errorf("%s, %s NUL: %d %s, want invalid_text", name, field, r.Status, r.Raw)
				}
				expect(field+" raw NUL", p.call(method, concrete, token, "{\""+field+"\":\"a\x00b\"}"), field)
				expect(field+" invalid UTF-8", p.call(method, concrete, token, []byte("{\""+field+"\":\"a\xff\xfeb\"}")), field)
				big := `"` + strings.Repeat("x", 70000) + `"`
				if t, _ := ps.(map[string]any)["type"].(string); t == "integer" || t == "number" {
					big = "1e15"
				}
				r := p.call(method, concrete, token, `{"`+field+`":`+big+`}`)
				expect(field+" oversize", r, field)
				if c := r.errCode(); c != "too_long" && c != "out_of_range" {
					t.Errorf("%s, %s oversize: code %q", name, field, c)
				}
			}
		}
	}
	if routes < 50 {
		t.Fatalf("only %d routes in /openapi.json", routes)
	}
	if strings.Contains(p.Logs(), "request failed") {
		t.Fatalf("the server logged a failure:\n%s", lastLines(p.Logs(), "request failed"))
	}
}

func queryNames(op map[string]any) []string {
	var out []string
	params, _ := op["parameters"].([]any)
	for _, x := range params {
		m := x.(map[string]any)
		if m["in"] == "query" {
			out = append(out, m["name"].(string))
		}
	}
	return out
}

// TestInputDefects: one check per defect of issue 10's "bad input" section.
func TestInputDefects(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("in-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)

	t.Run("a refused intake with NUL or invalid UTF-8 is 422 and kept with its exact bytes", func(t *testing.T) {
		for _, body := range [][]byte{
			[]byte(`{"product":"endpoint","title":"nul ` + suffix + `","description":"before\u0000after"}`),
			[]byte("{\"product\":\"endpoint\",\"title\":\"raw " + suffix + "\",\"description\":\"before\x00after \xff\xfe\"}"),
		} {
			r := p.call("POST", "/v1/incidents", w.memberA, body)
			if r.Status != 422 || r.errCode() != "invalid_text" || r.errField() != "description" {
				t.Fatalf("intake: %d %s", r.Status, r.Raw)
			}
			list := p.must(200, "GET", "/v1/intake-rejections?organization_id="+w.orgA+"&code=invalid_text", adminToken, nil)
			found := false
			for _, it := range list.Body["items"].([]any) {
				m := it.(map[string]any)
				got, _ := base64.StdEncoding.DecodeString(m["request_body_base64"].(string))
				if bytes.Equal(got, body) {
					found = m["user_id"] == w.memberAID && m["product"] == "endpoint"
				}
			}
			if !found {
				t.Fatalf("refused intake %q not kept: %s", body, list.Raw)
			}
		}
	})

	t.Run("a misspelt field is refused, not swallowed", func(t *testing.T) {
		r := p.call("POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "x", "sevrity": 1})
		if r.Status != 422 || r.errCode() != "unknown_field" || r.errField() != "sevrity" {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})

	inc := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "Wait " + suffix, "severity": 2}).str("id")
	p.must(200, "POST", "/v1/incidents/"+inc+"/assign", w.engineer, nil)
	p.must(200, "POST", "/v1/incidents/"+inc+"/acknowledge", w.engineer, map[string]any{"message": "on it"})

	t.Run("the waiting request's message reaches the customer", func(t *testing.T) {
		if r := p.call("POST", "/v1/incidents/"+inc+"/wait", w.engineer, map[string]any{"message": "a", "reason": "b"}); r.Status != 422 {
			t.Fatalf("message and a different reason: %d %s", r.Status, r.Raw)
		}
		if r := p.call("POST", "/v1/incidents/"+inc+"/wait", w.engineer, map[string]any{"question": "x"}); r.Status != 422 || r.errCode() != "unknown_field" {
			t.Fatalf("unknown field on wait: %d %s", r.Status, r.Raw)
		}
		p.must(200, "POST", "/v1/incidents/"+inc+"/wait", w.engineer, map[string]any{"message": "Please send the agent logs of host A."})
		tl := p.must(200, "GET", "/v1/incidents/"+inc+"/timeline", w.memberA, nil)
		ok := false
		for _, e := range tl.Body["events"].([]any) {
			m := e.(map[string]any)
			if d, _ := m["data"].(map[string]any); m["kind"] == "wait_started" && d["message"] == "Please send the agent logs of host A." {
				ok = true
			}
		}
		if !ok {
			t.Fatalf("the customer does not see what the wait asks: %s", tl.Raw)
		}
	})

	t.Run("limits", func(t *testing.T) {
		r := p.call("POST", "/v1/incidents/"+inc+"/escalation-requests", w.memberA, map[string]any{"level": 1, "reason": strings.Repeat("r", 1_000_000)})
		if r.Status != 422 || r.errCode() != "too_long" || r.errField() != "reason" {
			t.Fatalf("1,000,000-character reason: %d %.300s", r.Status, r.Raw)
		}
		r = p.call("POST", "/v1/organizations/"+w.orgB+"/entitlements", adminToken, map[string]any{"product": "seats", "tier": "standard",
			"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z", "seats": 2147483648})
		if r.Status != 422 || r.errCode() != "out_of_range" || r.errField() != "seats" {
			t.Fatalf("seats 2147483648: %d %s", r.Status, r.Raw)
		}
		r = p.call("POST", "/v1/sla/preview", w.memberA, map[string]any{"tier": "premium", "severity": 1, "accepted_at": "9999-01-01T00:00:00Z"})
		if r.Status != 422 || r.errField() != "accepted_at" {
			t.Fatalf("preview in year 9999: %d %s", r.Status, r.Raw)
		}
		p.must(200, "POST", "/v1/sla/preview", w.memberA, map[string]any{"tier": "standard", "severity": 2, "accepted_at": "2199-12-31T00:00:00Z"})
	})

	t.Run("filters are validated alike on every list", func(t *testing.T) {
		for _, path := range []string{"/v1/incidents?tier=gold", "/v1/queue?tier=gold"} {
			if r := p.call("GET", path, w.engineer, nil); r.Status != 422 || r.errField() != "tier" {
				t.Fatalf("%s: %d %s", path, r.Status, r.Raw)
			}
		}
		if r := p.call("GET", "/v1/incidents?status=%00", w.engineer, nil); r.Status != 422 || r.errCode() != "invalid_text" {
			t.Fatalf("status NUL: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("customers choose only customer channels", func(t *testing.T) {
		for _, ch := range []string{"phone", "email"} {
			r := p.call("POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "ch", "channel": ch, "severity": 1})
			if r.Status != 422 || r.errCode() != "channel_not_allowed" || r.errField() != "channel" {
				t.Fatalf("member says %s: %d %s", ch, r.Status, r.Raw)
			}
		}
		p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "ch", "channel": "api"})
		r := p.must(201, "POST", "/v1/incidents", w.engineer, map[string]any{"organization_id": w.orgA, "product": "endpoint", "title": "by phone", "description": "all hosts down", "channel": "phone", "severity": 1})
		if r.str("channel") != "phone" || r.Body["severity"].(float64) != 1 {
			t.Fatalf("phone intake by staff: %s", r.Raw)
		}
		r = p.must(201, "POST", "/v1/incidents", w.engineer, map[string]any{"organization_id": w.orgA, "product": "endpoint", "title": "by mail", "description": "all hosts down", "channel": "email", "severity": 1})
		if r.Body["severity"].(float64) != 3 || r.Body["severity_confirmation_required"] != true {
			t.Fatalf("e-mail intake by staff keeps the e-mail rule: %s", r.Raw)
		}
	})

	t.Run("a severity or scope change needs a reason", func(t *testing.T) {
		for _, body := range []map[string]any{{"severity": 1}, {"scope": "environment"}, {"severity": 1, "reason": "  "}} {
			if r := p.call("PATCH", "/v1/incidents/"+inc, w.engineer, body); r.Status != 422 || r.errCode() != "reason_required" || r.errField() != "reason" {
				t.Fatalf("%v: %d %s", body, r.Status, r.Raw)
			}
		}
		p.must(200, "PATCH", "/v1/incidents/"+inc, w.engineer, map[string]any{"severity": 1, "reason": "all hosts affected"})
	})
}

// uploadType is the Content-Type of uploadForm's body.
const uploadType = "multipart/form-data; boundary=zzboundary"

// isUpload tells a multipart/form-data route from a JSON one by its OpenAPI request body.
func isUpload(op map[string]any) bool {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	_, ok := content["multipart/form-data"]
	return ok
}

// uploadForm is a multipart body with one file named name and, when extra is set, a text field of
// that name; written by hand so that the file name can hold any bytes.
func uploadForm(extra, name string) []byte {
	var b strings.Builder
	if extra != "" {
		b.WriteString("--zzboundary\r\nContent-Disposition: form-data; name=\"" + extra + "\"\r\n\r\nx\r\n")
	}
	b.WriteString("--zzboundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--zzboundary--\r\n")
	return []byte(b.String())
}

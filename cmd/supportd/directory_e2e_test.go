package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDirectoryEndToEnd: the look-ups the pages and any client need. Organisations are listed
// to staff in full and paged (no repeats), to a customer only their own; staff are listed by role
// and office, never to customers; an incident is found by its reference in any case, and one
// the caller may not see is 404 like a missing one.
func TestDirectoryEndToEnd(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("dir-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)

	t.Run("organisations", func(t *testing.T) {
		orgC := p.must(201, "POST", "/v1/organizations", adminToken, map[string]any{"name": "Gamma " + suffix, "office": "tokyo"}).str("id")
		seen, cursor, pages := map[string]int{}, "", 0
		for {
			path := "/v1/organizations?limit=2"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := p.must(200, "GET", path, w.engineer, nil)
			items := r.Body["items"].([]any)
			if len(items) > 2 {
				t.Fatalf("page of %d", len(items))
			}
			for _, it := range items {
				seen[it.(map[string]any)["id"].(string)]++
			}
			pages++
			if cursor = r.str("next_cursor"); cursor == "" {
				break
			}
		}
		if seen[w.orgA] != 1 || seen[w.orgB] != 1 || seen[orgC] != 1 || pages < 2 {
			t.Fatalf("staff listing: A %d, B %d times over %d pages", seen[w.orgA], seen[w.orgB], pages)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s listed %d times", id, n)
			}
		}
		r := p.must(200, "GET", "/v1/organizations", w.memberA, nil)
		items := r.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != w.orgA || r.str("next_cursor") != "" {
			t.Fatalf("customer listing: %s", r.Raw)
		}
		if r := p.call("GET", "/v1/organizations?limit=0", w.engineer, nil); r.Status != 422 || r.errField() != "limit" {
			t.Fatalf("limit 0: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("staff", func(t *testing.T) {
		office := "office-" + suffix
		mgr := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": "m-" + suffix + "@vendor.example", "name": "Mori",
			"role": "support_manager", "office": office}).str("id")
		eng := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": "k-" + suffix + "@vendor.example", "name": "Kato",
			"role": "engineer", "office": office}).str("id")
		ids := func(path string) []string {
			t.Helper()
			var out []string
			for _, it := range p.must(200, "GET", path, w.engineer, nil).Body["items"].([]any) {
				u := it.(map[string]any)
				if u["organization_id"] != nil {
					t.Errorf("customer %v in the staff list", u["email"])
				}
				out = append(out, u["id"].(string))
			}
			return out
		}
		if got := ids("/v1/staff?office=" + office); strings.Join(got, ",") != mgr+","+eng {
			t.Fatalf("office: %v", got)
		}
		// An admin names the TSAM of an organisation; an org admin may not, nor an engineer be one.
		if got := p.must(200, "PATCH", "/v1/organizations/"+w.orgA, adminToken, map[string]any{"tsam_id": mgr}); got.str("tsam_id") != mgr ||
			got.str("incident_visibility") != "organization" {
			t.Fatalf("tsam: %s", got.Raw)
		}
		if r := p.call("PATCH", "/v1/organizations/"+w.orgA, adminToken, map[string]any{"tsam_id": eng}); r.Status != 422 || r.errField() != "tsam_id" {
			t.Fatalf("an engineer as TSAM: %d %s", r.Status, r.Raw)
		}
		if got := ids("/v1/staff?office=" + office + "&role=engineer"); strings.Join(got, ",") != eng {
			t.Fatalf("engineers: %v", got)
		}
		if r := p.call("GET", "/v1/staff?role=member", w.engineer, nil); r.Status != 422 || r.errField() != "role" {
			t.Fatalf("customer role: %d %s", r.Status, r.Raw)
		}
		if r := p.call("GET", "/v1/staff", w.memberA, nil); r.Status != 403 {
			t.Fatalf("customer lists staff: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("incident by reference", func(t *testing.T) {
		inc := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "ログインできない", "description": "d"})
		ref := inc.str("reference")
		for _, q := range []string{ref, strings.ToLower(ref)} {
			if got := p.must(200, "GET", "/v1/incidents/by-reference/"+q, w.memberA, nil); got.str("id") != inc.str("id") {
				t.Fatalf("%s: %s", q, got.Raw)
			}
		}
		p.must(200, "GET", "/v1/incidents/by-reference/"+ref, w.engineer, nil)
		for who, tok := range map[string]string{"another organisation": w.memberB} {
			if r := p.call("GET", "/v1/incidents/by-reference/"+ref, tok, nil); r.Status != 404 {
				t.Fatalf("%s: %d %s", who, r.Status, r.Raw)
			}
		}
		if r := p.call("GET", "/v1/incidents/by-reference/INC-1999-999999", w.engineer, nil); r.Status != 404 {
			t.Fatalf("missing: %d %s", r.Status, r.Raw)
		}
		// Text search in Japanese finds it through the same list.
		r := p.must(200, "GET", "/v1/incidents?q="+"%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3", w.memberA, nil)
		if items := r.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["reference"] != ref {
			t.Fatalf("search ログイン: %s", r.Raw)
		}
	})
}

package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestEntitlementAtIntake drives SPEC §3 through the API of a running supportd: each refusal code
// with its payload, the stored refusal with the body the customer sent, grace, extensions,
// renewals with a new serial, and the report.
func TestEntitlementAtIntake(t *testing.T) {
	p := start(t)
	suffix := fmt.Sprintf("ent-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	now := time.Now().UTC()
	day := 24 * time.Hour
	org := p.must(201, "POST", "/v1/organizations", adminToken, map[string]any{"name": "Contracts " + suffix, "office": "tokyo"}).str("id")
	orgAdminID := p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": "oa-" + suffix + "@c.example", "name": "OA", "role": "org_admin", "organization_id": org}).str("id")
	orgAdmin := p.must(201, "POST", "/v1/users/"+orgAdminID+"/tokens", adminToken, nil).str("token")
	cust := orgAdmin
	open := func(body map[string]any) reply { return p.call("POST", "/v1/incidents", cust, body) }

	// An organisation with no contract at all.
	if r := open(map[string]any{"product": "endpoint", "title": "t"}); r.Status != 403 || r.errCode() != "no_entitlement" {
		t.Fatalf("no entitlement: %d %s", r.Status, r.Raw)
	}

	ent := func(body map[string]any) reply {
		return p.must(201, "POST", "/v1/organizations/"+org+"/entitlements", adminToken, body)
	}
	active := ent(map[string]any{"product": "endpoint", "tier": "premium", "starts_at": now.Add(-30 * day), "ends_at": now.AddDate(1, 0, 0),
		"serial_number": "EP-OLD-1", "activation_code": "ABCDE-12345-FGHIJ-67890-KLMNO-PQRST-U", "seats": 100})
	ent(map[string]any{"product": "endpoint", "tier": "platinum", "starts_at": now.AddDate(0, 0, 10), "ends_at": now.AddDate(1, 0, 20), "serial_number": "EP-FUTURE"})
	ent(map[string]any{"product": "mail", "tier": "premium", "starts_at": now.AddDate(-1, 0, -5), "ends_at": now.Add(-5 * day),
		"grace_policy": map[string]any{"days": 30, "intake": "accept"}, "serial_number": "MAIL-1"})
	lapsed := ent(map[string]any{"product": "firewall", "tier": "premium", "license_type": "perpetual", "starts_at": now.AddDate(-1, 0, -10),
		"ends_at": now.Add(-10 * day), "renewal_window_days": 90, "reinstatement_fee": true, "serial_number": "FW-1",
		"registration_key": "AB-CDEF-GHIJ-KLMN-OPQR"})
	ent(map[string]any{"product": "proxy", "tier": "standard", "starts_at": now.AddDate(-2, 0, 0), "ends_at": now.Add(-100 * day),
		"renewal_window_days": 90, "serial_number": "PX-1"})
	ent(map[string]any{"product": "vault", "tier": "standard", "license_type": "perpetual", "maintenance": false,
		"starts_at": now.AddDate(-1, 0, 0), "ends_at": now.AddDate(1, 0, 0), "serial_number": "VA-1"})
	ent(map[string]any{"product": "dlp", "tier": "standard", "starts_at": now.AddDate(0, 1, 0), "ends_at": now.AddDate(1, 1, 0), "serial_number": "DLP-1"})

	t.Run("accepted at the highest tier covering the product now", func(t *testing.T) {
		r := p.must(201, "POST", "/v1/incidents", cust, map[string]any{"product": "Endpoint", "title": "t", "description": "d", "severity": 2})
		if r.str("tier") != "premium" || r.str("entitlement_id") != active.str("id") || r.Body["in_grace"] != false {
			t.Fatalf("%s", r.Raw) // the platinum one has not started: premium applies
		}
		r = p.must(201, "POST", "/v1/incidents", cust, map[string]any{"product": "endpoint", "title": "t", "activation_code": "abcde12345fghij67890klmnopqrstu"})
		if r.str("entitlement_id") != active.str("id") {
			t.Fatalf("by activation code: %s", r.Raw)
		}
	})

	t.Run("grace with intake accept warns", func(t *testing.T) {
		r := p.must(201, "POST", "/v1/incidents", cust, map[string]any{"product": "mail", "title": "t"})
		if r.Body["in_grace"] != true || r.str("grace_ends_at") == "" || r.Body["warnings"] == nil {
			t.Fatalf("%s", r.Raw)
		}
	})

	refusals := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		check  func(t *testing.T, e map[string]any)
	}{
		{"expired but renewable with fee", map[string]any{"product": "firewall", "title": "fw down"}, 403, "entitlement_expired", func(t *testing.T, e map[string]any) {
			if e["renewable"] != true || e["reinstatement_fee"] != true || e["new_purchase_required"] != false || e["renewable_until"] == nil {
				t.Errorf("renewal facts %v", e)
			}
			if e["renewal"].(map[string]any)["renewable"] != true {
				t.Errorf("nested renewal facts %v", e["renewal"])
			}
		}},
		{"expired past the renewal window", map[string]any{"product": "proxy", "title": "t"}, 403, "entitlement_expired", func(t *testing.T, e map[string]any) {
			if e["renewable"] != false || e["new_purchase_required"] != true {
				t.Errorf("renewal facts %v", e)
			}
		}},
		{"not started", map[string]any{"product": "dlp", "title": "t"}, 403, "entitlement_not_started", func(t *testing.T, e map[string]any) {
			if e["starts_at"] == nil {
				t.Errorf("no starts_at: %v", e)
			}
		}},
		{"perpetual without maintenance", map[string]any{"product": "vault", "title": "t"}, 403, "perpetual_without_maintenance", nil},
		{"product not covered", map[string]any{"product": "unknown-product", "title": "t"}, 403, "product_not_covered", nil},
		{"unknown serial", map[string]any{"product": "endpoint", "title": "t", "serial_number": "NOPE"}, 403, "no_entitlement", nil},
		{"malformed activation code", map[string]any{"product": "endpoint", "title": "t", "activation_code": "ABC-123"}, 422, "invalid_activation_code", nil},
		{"malformed registration key", map[string]any{"product": "firewall", "title": "t", "registration_key": "ABCD-EF-GHIJ-KLMN-OPQR"}, 422, "invalid_registration_key", nil},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			r := open(c.body)
			if r.Status != c.status || r.errCode() != c.code {
				t.Fatalf("%d %s", r.Status, r.Raw)
			}
			e := r.Body["error"].(map[string]any)
			if msg, _ := e["message"].(string); len(msg) < 20 {
				t.Errorf("message %q is not something a person can act on", msg)
			}
			if c.check != nil {
				c.check(t, e)
			}
		})
	}

	t.Run("every refusal is kept with the body the customer sent", func(t *testing.T) {
		r := p.must(200, "GET", "/v1/intake-rejections?organization_id="+org, w.engineer, nil)
		items := r.Body["items"].([]any)
		if len(items) != len(refusals)+1 {
			t.Fatalf("%d rejections kept, want %d", len(items), len(refusals)+1)
		}
		found := false
		for _, it := range items {
			m := it.(map[string]any)
			if m["code"] == "entitlement_expired" && m["product"] == "firewall" {
				body, _ := json.Marshal(m["request_body"])
				if string(body) != `{"product":"firewall","title":"fw down"}` {
					t.Errorf("stored body %s", body)
				}
				found = true
			}
		}
		if !found {
			t.Fatal("the firewall refusal was not kept")
		}
		if r := p.call("GET", "/v1/intake-rejections", cust, nil); r.Status != 403 {
			t.Fatalf("customers read renewal leads: %d", r.Status)
		}
	})

	t.Run("an extension lets intake through while the renewal is processed", func(t *testing.T) {
		p.must(201, "POST", "/v1/entitlements/"+lapsed.str("id")+"/extensions", adminToken, map[string]any{"until": now.Add(14 * day), "reason": "PO 4711 in approval"})
		r := p.must(201, "POST", "/v1/incidents", cust, map[string]any{"product": "firewall", "title": "t"})
		if r.str("entitlement_id") != lapsed.str("id") {
			t.Fatalf("%s", r.Raw)
		}
		if r := p.call("POST", "/v1/entitlements/"+lapsed.str("id")+"/extensions", cust, map[string]any{"until": now.Add(14 * day), "reason": "x"}); r.Status != 403 {
			t.Fatalf("customer extends: %d", r.Status)
		}
		if r := p.call("POST", "/v1/entitlements/"+lapsed.str("id")+"/extensions", adminToken, map[string]any{"until": now.Add(14 * day)}); r.Status != 422 || r.errField() != "reason" {
			t.Fatalf("extension without reason: %d %s", r.Status, r.Raw)
		}
	})

	t.Run("a renewal with a new serial keeps the old one working", func(t *testing.T) {
		r := p.must(201, "POST", "/v1/entitlements/"+active.str("id")+"/renewals", adminToken, map[string]any{
			"starts_at": now.AddDate(1, 0, 0), "ends_at": now.AddDate(2, 0, 0), "serial_number": "EP-NEW-2"})
		if r.str("serial_number") != "EP-NEW-2" || r.Body["serial_aliases"].([]any)[0] != "EP-OLD-1" {
			t.Fatalf("%s", r.Raw)
		}
		for _, sn := range []string{"EP-OLD-1", "ep-new-2"} {
			got := p.must(201, "POST", "/v1/incidents", cust, map[string]any{"product": "endpoint", "title": "t", "serial_number": sn})
			if got.str("entitlement_id") != active.str("id") {
				t.Fatalf("serial %s: %s", sn, got.Raw)
			}
		}
	})

	t.Run("report", func(t *testing.T) {
		r := p.must(200, "GET", "/v1/organizations/"+org+"/entitlements", orgAdmin, nil)
		states := map[string]string{}
		for _, it := range r.Body["items"].([]any) {
			m := it.(map[string]any)
			states[m["product"].(string)+"/"+m["serial_number"].(string)] = m["state"].(string)
			if m["starts_at"] == nil || m["ends_at"] == nil || m["days_left"] == nil {
				t.Errorf("report row lacks start, end or days left: %v", m)
			}
		}
		want := map[string]string{"endpoint/EP-NEW-2": "active", "endpoint/EP-FUTURE": "not_started", "mail/MAIL-1": "grace",
			"firewall/FW-1": "active", "proxy/PX-1": "expired", "vault/VA-1": "active", "dlp/DLP-1": "not_started"}
		for k, v := range want {
			if states[k] != v {
				t.Errorf("%s: state %q, want %q (all: %v)", k, states[k], v, states)
			}
		}
		if r := p.call("GET", "/v1/organizations/"+w.orgA+"/entitlements", orgAdmin, nil); r.Status != 404 {
			t.Fatalf("org admin reads another organisation's report: %d", r.Status)
		}
		if r := p.call("GET", "/v1/organizations/"+w.orgA+"/entitlements", w.memberA, nil); r.Status != 403 {
			t.Fatalf("member reads the report: %d", r.Status)
		}
		if r := p.call("POST", "/v1/organizations/"+org+"/entitlements", adminToken, map[string]any{"product": "x", "tier": "gold",
			"starts_at": now, "ends_at": now.AddDate(1, 0, 0)}); r.Status != 422 || r.errField() != "tier" {
			t.Fatalf("bad tier: %d %s", r.Status, r.Raw)
		}
		if r := p.call("POST", "/v1/organizations/"+org+"/entitlements", adminToken, map[string]any{"product": "x", "tier": "standard",
			"starts_at": now, "ends_at": now.AddDate(0, 6, 0)}); r.Status != 422 || r.errField() != "ends_at" {
			t.Fatalf("term under a year: %d %s", r.Status, r.Raw)
		}
	})
}

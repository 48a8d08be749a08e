package main

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/mailtest"
)

// TestCustomersAreToldEndToEnd: the API server and a worker, e-mail going to a real SMTP
// listener. The opener adds a colleague as follower; the organisation tells its groups; the
// follower reads Japanese, a group co-member turned e-mail off. Each hears of the first response
// and of the opener's reply (the opener does not get their own reply back), in the inbox and by
// threaded mail.
func TestCustomersAreToldEndToEnd(t *testing.T) {
	box := mailtest.StartSMTP(t)
	env := []string{"SMTP_URL=smtp://" + box.Addr + "?from=support@vendor.example", "MAIL_TOKEN_KEY=00112233445566778899aabbccddeeff"}
	p := start(t, env...)
	startWorker(t, env...)
	suffix := fmt.Sprintf("tell-%d", time.Now().UnixNano())
	w := setup(t, p, suffix)
	openerMail := "a-" + suffix + "@acme.example"
	mk := func(name string) (id, token, email string) {
		email = name + "-" + suffix + "@acme.example"
		id = p.must(201, "POST", "/v1/users", adminToken, map[string]any{"email": email, "name": name, "role": "member", "organization_id": w.orgA}).str("id")
		return id, p.must(201, "POST", "/v1/users/"+id+"/tokens", adminToken, nil).str("token"), email
	}
	folID, fol, folMail := mk("fumi")
	gmID, gm, gmMail := mk("gen")
	if r := p.must(200, "PATCH", "/v1/me", fol, map[string]any{"language": "ja"}); r.str("language") != "ja" || r.Body["email_notifications"] != true {
		t.Fatalf("follower's preferences: %s", r.Raw)
	}
	p.must(200, "PATCH", "/v1/me", gm, map[string]any{"email_notifications": false})
	if r := p.must(200, "GET", "/v1/me/notifications", gm, nil); r.Body["email_notifications"] != false {
		t.Fatalf("opt-out not kept: %s", r.Raw)
	}
	if r := p.call("PATCH", "/v1/me", gm, map[string]any{"language": "fr"}); r.Status != 422 || r.errField() != "language" {
		t.Fatalf("unknown language: %d %s", r.Status, r.Raw)
	}
	if r := p.must(200, "PATCH", "/v1/organizations/"+w.orgA, adminToken, map[string]any{"notify_groups": true}); r.Body["notify_groups"] != true || r.str("incident_visibility") != "organization" {
		t.Fatalf("organisation setting: %s", r.Raw)
	}
	group := p.must(201, "POST", "/v1/groups", adminToken, map[string]any{"name": "CSIRT " + suffix, "organization_id": w.orgA}).str("id")
	p.must(200, "PUT", "/v1/groups/"+group+"/members/"+w.memberAID, adminToken, nil)
	p.must(200, "PUT", "/v1/groups/"+group+"/members/"+gmID, adminToken, nil)

	inc := p.must(201, "POST", "/v1/incidents", w.memberA, map[string]any{"product": "endpoint", "title": "Proxy down", "description": "d", "severity": 2})
	id, ref := inc.str("id"), inc.str("reference")
	if r := p.must(200, "PUT", "/v1/incidents/"+id+"/followers/"+folID, w.memberA, nil); len(r.Body["items"].([]any)) != 1 {
		t.Fatalf("follow: %s", r.Raw)
	}
	if r := p.call("PUT", "/v1/incidents/"+id+"/followers/"+w.engineerID, w.memberA, nil); r.Status != 422 || r.errField() != "user_id" {
		t.Fatalf("staff as follower: %d %s", r.Status, r.Raw)
	}
	if r := p.call("GET", "/v1/incidents/"+id+"/followers", w.memberB, nil); r.Status != 404 {
		t.Fatalf("another organisation reads the followers: %d %s", r.Status, r.Raw)
	}
	p.must(200, "POST", "/v1/incidents/"+id+"/assign", w.engineer, map[string]any{"assignee_id": w.engineerID})
	p.must(200, "POST", "/v1/incidents/"+id+"/acknowledge", w.engineer, map[string]any{"message": "Looking at the proxy logs."})
	p.must(200, "POST", "/v1/incidents/"+id+"/updates", w.memberA, map[string]any{"body": "It also drops VPN sessions."})

	// The opener: the receipt and the first response; the follower: the first response and the
	// reply; the group co-member: nothing by mail.
	box.Wait(t, 4, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // anything more would be a duplicate or a mail to the opted-out
	to := map[string][]*mail.Message{}
	for _, m := range box.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		to[m.To[0]] = append(to[m.To[0]], msg)
	}
	if len(to[openerMail]) != 2 || len(to[folMail]) != 2 || len(to[gmMail]) != 0 || len(box.Messages()) != 4 {
		t.Fatalf("mails: opener %d follower %d groupmate %d, all %d", len(to[openerMail]), len(to[folMail]), len(to[gmMail]), len(box.Messages()))
	}
	f := to[folMail]
	if strings.HasPrefix(f[0].Header.Get("In-Reply-To"), "<n.") {
		f[0], f[1] = f[1], f[0] // the worker sends in parallel: the reply may arrive first
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(f[0].Header.Get("Subject"))
	if !strings.HasPrefix(subject, "["+ref+"] ") || !strings.Contains(subject, "担当エンジニア") {
		t.Errorf("follower's subject %q", subject)
	}
	if f[1].Header.Get("In-Reply-To") != f[0].Header.Get("Message-Id") || !strings.Contains(f[1].Header.Get("References"), f[0].Header.Get("Message-Id")) {
		t.Errorf("second mail does not answer the first: In-Reply-To %q References %q, first %q",
			f[1].Header.Get("In-Reply-To"), f[1].Header.Get("References"), f[0].Header.Get("Message-Id"))
	}
	kinds := func(token string) []string {
		var out []string
		for _, n := range p.must(200, "GET", "/v1/notifications", token, nil).Body["items"].([]any) {
			out = append(out, n.(map[string]any)["kind"].(string))
		}
		return out
	}
	if got := strings.Join(kinds(fol), ","); got != "incident_updated,incident_acknowledged" {
		t.Errorf("follower's inbox %s", got)
	}
	if got := strings.Join(kinds(gm), ","); got != "incident_updated,incident_acknowledged,incident_received" {
		t.Errorf("group co-member's inbox %s (e-mail off, inbox stays)", got)
	}
	if got := strings.Join(kinds(w.memberA), ","); got != "incident_acknowledged,incident_received" {
		t.Errorf("opener's inbox %s (their own reply is not told back)", got)
	}
	p.must(204, "DELETE", "/v1/incidents/"+id+"/followers/"+folID, fol, nil)
}

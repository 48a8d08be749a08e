package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
)

// The incident list shows the organisation's incidents (never another's), filters by status and
// product, searches by reference and text, narrows to mine, and answers htmx with the results only.
func TestIncidentList(t *testing.T) {
	s := newSite(t)
	mine := s.open(s.member, "VPN が切断される", "毎朝 9 時に切れる", 2)
	colleague := s.open(s.member2, "Agent update fails", "error 0x80070005", 3)
	foreign := s.open(s.outsider, "Outsider's secret incident", "", 3)
	if _, err := s.e.Incidents.Resolve(s.ctx, s.admin, colleague.ID, "patched"); err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(s.member)
	p := b.get("/incidents")
	has(t, p, mine.Reference, colleague.Reference, "VPN が切断される", "endpoint", "firewall")
	lacks(t, p, foreign.Reference, "Outsider")
	has(t, b.get("/incidents?status=resolved"), colleague.Reference)
	lacks(t, b.get("/incidents?status=resolved"), mine.Reference)
	lacks(t, b.get("/incidents?product=firewall"), mine.Reference, colleague.Reference)
	p = b.get("/incidents?q=" + url.QueryEscape("切断"))
	has(t, p, mine.Reference)
	lacks(t, p, colleague.Reference)
	p = b.get("/incidents?q=" + strings.ToLower(colleague.Reference))
	has(t, p, colleague.Reference)
	lacks(t, p, mine.Reference)
	p = b.get("/incidents?q=" + foreign.Reference)
	has(t, p, "No incidents match.")
	lacks(t, p, "/incidents/"+foreign.ID.String())
	p = b.get("/incidents?mine=1")
	has(t, p, mine.Reference)
	lacks(t, p, colleague.Reference)
	p = b.do("GET", "/incidents?q=agent", nil, map[string]string{"HX-Request": "true", "HX-Target": "results"})
	if !strings.HasPrefix(strings.TrimSpace(p.body), `<section id="results"`) || strings.Contains(p.body, "<html") {
		t.Fatalf("htmx answer is not the results fragment:\n%.300s", p.body)
	}
	has(t, p, colleague.Reference)

	// Japanese from Accept-Language, statuses and severities from the catalogue.
	b.lang = "ja,en;q=0.5"
	p = b.get("/incidents")
	has(t, p, `<html lang="ja">`, "インシデント", "解決済み", "新規インシデント")
	lacks(t, p, "New incident")
}

// The new-incident form lists the organisation's contracts with their state, shows the seed's
// severity definitions in the user's language, opens an incident (a double submit opens one),
// and explains a refusal with the renewal facts.
func TestNewIncident(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.member)
	p := b.get("/incidents/new")
	has(t, p, `value="endpoint"`, `value="firewall"`, "active", "expired", "days left",
		"stops the service entirely", "No workaround exists", "Questions about using the product", "severity 3 is assigned")
	b.lang = "ja"
	has(t, b.get("/incidents/new"), "サービスの全面停止を引き起こす", "暫定的な回避策はありません", "製品の操作に関する質問", "有効", "期限切れ")
	b.lang = "en"

	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(p.body)[1]
	tok := csrfRE.FindStringSubmatch(p.body)[1]
	form := url.Values{"csrf_token": {tok}, "key": {key}, "product": {"endpoint"}, "title": {"Console will not load"},
		"description": {"since the upgrade"}, "severity": {"2"}}
	first := b.do("POST", "/incidents", form, nil)
	second := b.do("POST", "/incidents", form, nil)
	if first.url != second.url || !strings.HasPrefix(first.url, "/incidents/") {
		t.Fatalf("double submit: %s and %s", first.url, second.url)
	}
	has(t, first, "Your incident was opened", "Console will not load", "since the upgrade", "First response", "2 – Major", "premium")
	if n := strings.Count(b.get("/incidents?q=Console").body, "Console will not load</a>"); n != 1 {
		t.Fatalf("%d incidents after a double submit", n)
	}

	p = b.post("/incidents/new", "/incidents", url.Values{"product": {"firewall"}, "title": {"Firewall drops"}, "severity": {"3"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("expired contract: %d", p.status)
	}
	has(t, p, "Support could not accept this incident", "The contract for this product has expired.",
		"The contract can still be renewed until", "A late renewal carries a reinstatement fee.", "Firewall drops")
}

// The incident page shows the customer-visible SLA status and the conversation; the customer
// replies, asks for reclassification, is told why escalation is not available yet, and reopens;
// a colleague outside the opener's circle reads but does not act; another organisation gets 404.
func TestIncidentPage(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Scans are slow", "full scan takes 9 hours", 3)
	path := "/incidents/" + inc.ID.String()
	b := s.signedIn(s.member)
	p := b.get(path)
	has(t, p, inc.Reference, "Scans are slow", "full scan takes 9 hours", "First response", "running", "Escalated: <strong>No</strong>",
		"Send reply", "Request escalation", "Request severity 2")
	lacks(t, p, "support_manager", "Support manager escalation")

	p = b.post(path, path+"/reply", url.Values{"body": {"It is still slow today."}})
	has(t, p, "Your reply was added.", "It is still slow today.", "You")

	// Premium severity 3 has no escalation on request: the page says so and offers no form, and
	// a forged post is refused by the domain all the same.
	has(t, p, "does not offer escalation on request at this severity", "Not available")
	lacks(t, p, `action="`+path+`/escalation-request"`)
	p = b.post(path, path+"/escalation-request", url.Values{"reason": {"business impact"}})
	if p.status != http.StatusConflict {
		t.Fatalf("escalation of a premium severity 3 on day one: %d", p.status)
	}
	has(t, p, "Escalation cannot be requested for this incident yet.")
	// Premium severity 2: requestable from 72 h, and the page tells when (in the viewer's zone).
	sev2 := s.open(s.member, "Half the fleet offline", "agents stopped reporting", 2)
	p = b.get("/incidents/" + sev2.ID.String())
	has(t, p, "You can request it from "+sev2.AcceptedAt.Add(72*time.Hour).In(mustZone("Asia/Tokyo")).Format("2006-01-02 15:04 JST"))
	// Standard severity 2 is on request: the form is there and escalates.
	std := s.open(s.outsider, "Standard major", "down", 2)
	o := s.signedIn(s.outsider)
	stdPath := "/incidents/" + std.ID.String()
	has(t, o.get(stdPath), `action="`+stdPath+`/escalation-request"`)
	p = o.post(stdPath, stdPath+"/escalation-request", url.Values{"reason": {"we need a manager"}})
	has(t, p, "The incident was escalated.", "Escalated: <strong>Yes</strong>")

	p = b.post(path, path+"/reclassification-request", url.Values{"reason": {"it got worse"}})
	has(t, p, "Your reclassification request was recorded.", "Reclassification requested", "it got worse")

	if _, err := s.e.Incidents.Assign(s.ctx, s.admin, inc.ID, s.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.e.Incidents.Acknowledge(s.ctx, s.engineer, inc.ID, "Looking into it"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.e.Incidents.Resolve(s.ctx, s.engineer, inc.ID, "Excluded the backup folder"); err != nil {
		t.Fatal(err)
	}
	p = b.get(path)
	has(t, p, "Resolved", "Excluded the backup folder", "Looking into it", "met", "Reopen incident")
	lacks(t, p, "Send reply")
	p = b.post(path, path+"/reopen", url.Values{"reason": {"came back"}})
	has(t, p, "The incident was reopened.", "came back", "Send reply")

	c := s.signedIn(s.member2)
	p = c.get(path)
	has(t, p, "Scans are slow", "Only the people who opened this incident")
	lacks(t, p, "Send reply", "Request escalation")
	if p := c.post("/incidents", path+"/reply", url.Values{"body": {"sneaky"}}); p.status == 200 && strings.Contains(p.body, "sneaky") {
		t.Fatal("a member outside the circle replied")
	}
	has(t, s.signedIn(s.orgAdmin).get(path), "Send reply")

	if p := o.get(path); p.status != http.StatusNotFound || strings.Contains(p.body, "Scans are slow") {
		t.Fatalf("another organisation's incident: %d", p.status)
	}
	// Staff read the incident page too (their workspace is phase 2).
	has(t, s.signedIn(s.engineer).get(path), "Scans are slow")
}

// The account page changes language and time zone (times follow) and the password.
func TestAccountPage(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Zone check", "", 4)
	b := s.signedIn(s.member)
	path := "/incidents/" + inc.ID.String()
	has(t, b.get(path), inc.AcceptedAt.In(mustZone("Asia/Tokyo")).Format("2006-01-02 15:04 JST"))
	p := b.post("/account", "/account/preferences", url.Values{"locale": {"ja"}, "time_zone": {"America/New_York"}})
	has(t, p, "設定を保存しました。", `<html lang="ja">`)
	p = b.get(path)
	ny := inc.AcceptedAt.In(mustZone("America/New_York")).Format("2006-01-02 15:04 MST")
	has(t, p, ny, "初回レスポンス")

	other := s.signedIn(s.member)
	p = b.post("/account", "/account/password", url.Values{"current_password": {"wrong one!!"}, "password": {"a new password 2"}, "password_again": {"a new password 2"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password: %d", p.status)
	}
	p = b.post("/account", "/account/password", url.Values{"current_password": {password}, "password": {"a new password 2"}, "password_again": {"a new password 2"}})
	has(t, p, "パスワードを変更しました")
	if p := other.get("/incidents"); p.url != "/signin" {
		t.Fatal("another session survived the password change")
	}
	n := s.browser()
	if p := n.post("/signin", "/signin", url.Values{"email": {s.member.Email}, "password": {"a new password 2"}}); p.url != "/incidents" {
		t.Fatalf("sign-in with the new password: %s", p.url)
	}
}

// The staff start page lists the queue in the engine's order through tickets.Queue.
func TestQueuePage(t *testing.T) {
	s := newSite(t)
	low := s.open(s.member, "Question about licences", "", 4)
	high := s.open(s.member, "Everything is down", "no machine boots", 1)
	p := s.signedIn(s.engineer).get("/queue")
	i, j := strings.Index(p.body, high.Reference), strings.Index(p.body, low.Reference)
	if i < 0 || j < 0 || i > j {
		t.Fatalf("queue order: sev 1 at %d, sev 4 at %d", i, j)
	}
	has(t, p, `<span class="clock-name">First response</span>`)
	if p := s.signedIn(s.member).get("/queue"); p.status != 404 || strings.Contains(p.body, high.Reference) {
		t.Fatalf("a customer reaches the queue: %d", p.status)
	}
}

var _ = accounts.Member

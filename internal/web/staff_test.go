package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	paging "github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// staffUser adds a staff user of office tokyo with the test password.
func (s *site) staffUser(who string, role accounts.Role) accounts.User {
	s.t.Helper()
	u, err := s.e.Accounts.CreateUser(s.ctx, s.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d@web.example", who, seq.Add(1)),
		Name: strings.ToUpper(who[:1]) + who[1:], Role: role, Office: "tokyo", Senior: who == "senior"})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.e.Accounts.SetPassword(s.ctx, s.admin, u.ID, "", password, nil); err != nil {
		s.t.Fatal(err)
	}
	return u
}

// TestWorkspaceClaimAndViews: the engineer's queue shows the clock badge, claim next hands the
// most urgent incident over and it moves from unassigned to mine; customers get 404.
func TestWorkspaceClaimAndViews(t *testing.T) {
	// A database of its own: what a claim hands out depends on every open incident.
	s := newSiteAt(t, testenv.FreshDatabase(t), testenv.Redis(t).URL)
	inc := s.open(s.member, "Mail gateway down", "nothing flows", 1)
	eng := s.signedIn(s.engineer)
	p := eng.get("/queue?view=unassigned")
	has(t, p, inc.Reference, `<span class="clock-name">First response</span>`, "due ", `data-left>in `, `data-due="`, "Claim next incident",
		`hx-trigger="every 10s"`, `src="/static/staff.js"`)
	for _, v := range []string{"Mine", "Unassigned", "Waiting on customer", "Breaching soon"} {
		has(t, p, ">"+v+"</a>")
	}
	has(t, eng.get("/queue?view=breaching&hours=2"), inc.Reference)
	lacks(t, eng.get("/queue?view=waiting"), inc.Reference)
	// A premium incident goes to senior engineers first (tickets.SeniorFirst).
	has(t, eng.post("/queue", "/queue/claim", nil), "Nothing to claim")
	eng = s.signedIn(s.staffUser("senior", accounts.Engineer))
	r := eng.post("/queue", "/queue/claim", nil)
	if r.status != 200 || !strings.Contains(r.url, inc.ID.String()) {
		t.Fatalf("claim next: %d at %s, want the incident %s", r.status, r.url, inc.ID)
	}
	has(t, r, "The incident is yours.")
	has(t, eng.get("/queue?view=mine"), inc.Reference)
	lacks(t, eng.get("/queue?view=unassigned"), inc.Reference)
	// An htmx poll gets the list alone.
	frag := eng.do("GET", "/queue?view=mine", nil, map[string]string{"HX-Request": "true"})
	has(t, frag, `id="queue-list"`, inc.Reference)
	lacks(t, frag, "<html")

	cust := s.signedIn(s.member)
	for _, path := range []string{"/queue", "/queue?view=mine", "/manager", "/manager/report", "/manager/report.csv"} {
		if r := cust.get(path); r.status != 404 || strings.Contains(r.body, inc.Reference) {
			t.Errorf("customer on %s: %d", path, r.status)
		}
	}
	if r := cust.post("/incidents", "/queue/claim", nil); r.status != 404 {
		t.Errorf("customer claims: %d", r.status)
	}
}

var csrfOf = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// TestStaffIncidentPage: staff see the whole timeline with author names and internal notes
// marked, every action, and each deadline's explanation; the actions work through the forms;
// the customer's page of the same incident never shows the note nor any staff action.
func TestStaffIncidentPage(t *testing.T) {
	s := newSite(t)
	mgr := s.staffUser("manager", accounts.SupportManager)
	inc := s.open(s.member, "Console slow", "takes a minute to load", 2)
	path := "/incidents/" + inc.ID.String()
	eng := s.signedIn(s.engineer)
	do := func(action string, form url.Values, flash string) page {
		t.Helper()
		r := eng.post(path, path+"/"+action, form)
		if r.status != 200 || !strings.Contains(r.body, flash) {
			t.Fatalf("%s: %d\n%s", action, r.status, r.body)
		}
		return r
	}
	do("assign", nil, "Assigned.")
	do("acknowledge", url.Values{"message": {"Looking at the console now."}}, "First response sent.")
	const secret = "INTERNAL: their proxy strips the cache headers"
	do("update", url.Values{"body": {secret}, "visibility": {"internal"}}, "Posted.")
	do("update", url.Values{"body": {"We found the cause."}, "visibility": {"public"}}, "Posted.")
	do("severity", url.Values{"severity": {"3"}, "reason": {"workaround found"}}, "Severity changed.")
	do("scope", url.Values{"scope": {"environment"}, "reason": {"proxy configuration"}}, "Scope changed.")
	do("wait", url.Values{"message": {"Can you send the proxy config?"}}, "Waiting on the customer.")

	p := eng.get(path)
	has(t, p, secret, `class="entry mine internal staff-only"`, "Internal note", "Engineer (You)", "Member",
		"<details><summary>Why this deadline?</summary>", "Customer environment", `action="`+path+`/resolve"`,
		`hx-get="`+path+`/presence"`)
	lacks(t, p, `id="assignee"`) // engineers assign only themselves
	if r := eng.post(path, path+"/severity", url.Values{"severity": {"2"}}); r.status != 422 {
		t.Errorf("a severity change without a reason: %d", r.status)
	}

	cust := s.signedIn(s.member)
	cp := cust.get(path)
	has(t, cp, "We found the cause.", "Can you send the proxy config?")
	lacks(t, cp, secret, "proxy configuration", "Why this deadline?", `/acknowledge"`, `/resolve"`, `/assign"`)
	for _, a := range []string{"acknowledge", "update", "assign", "wait", "resolve", "severity", "scope"} {
		if r := cust.post(path, path+"/"+a, url.Values{"body": {"x"}, "message": {"x"}, "reason": {"x"}, "severity": {"1"}}); r.status != 404 {
			t.Errorf("customer posts %s: %d", a, r.status)
		}
	}

	// Presence: the manager has it open; the engineer is warned, and by name.
	m := s.signedIn(mgr)
	mp := m.get(path)
	has(t, mp, `id="assignee"`, "Assign to")
	if r := m.do("GET", path+"/presence", nil, map[string]string{"HX-Request": "true"}); r.status != 200 {
		t.Fatalf("presence: %d", r.status)
	}
	has(t, eng.do("GET", path+"/presence", nil, nil), "Manager has this incident open.")
	tok := csrfOf.FindStringSubmatch(eng.get(path).body)[1]
	eng.do("POST", path+"/presence", url.Values{"csrf_token": {tok}}, nil)
	has(t, m.do("GET", path+"/presence", nil, nil), "Engineer is writing on this incident right now.")
	if r := cust.get(path + "/presence"); r.status != 404 {
		t.Errorf("customer reads presence: %d", r.status)
	}

	// An executive reads the incident, staff entries included, and gets no action.
	xp := s.signedIn(s.exec).get(path)
	has(t, xp, secret, "Why this deadline?")
	lacks(t, xp, `action="`+path+`/resolve"`, `action="`+path+`/update"`, `action="`+path+`/assign"`)

	do("resolve", url.Values{"resolution": {"proxy fixed"}}, "Resolved.")
	has(t, eng.get(path), `action="`+path+`/reopen"`)
}

// TestManagerView: escalations addressed to the manager are acknowledged from the page and the
// acknowledgement lands on the timeline; reclassification requests are decided there; the
// report renders its chart and CSV. Engineers are refused (403) and see no manager link.
func TestManagerView(t *testing.T) {
	s := newSite(t)
	mgr := s.staffUser("manager", accounts.SupportManager)
	// The other organisation is standard: severity 2 escalates to the support manager on request.
	esc := s.open(s.outsider, "Reports fail", "since the update", 2)
	if _, err := s.e.Incidents.RequestEscalation(s.ctx, s.outsider, esc.ID, 1, "month end"); err != nil {
		t.Fatal(err)
	}
	slow := s.open(s.member, "Scan is slow", "", 3)
	req, _, err := s.e.Incidents.RequestReclassification(s.ctx, s.member, slow.ID, "it got worse")
	if err != nil {
		t.Fatal(err)
	}
	m := s.signedIn(mgr)
	p := m.get("/manager")
	has(t, p, "Escalations addressed to me", esc.Reference, "Reclassification requests", slow.Reference, "it got worse",
		"At risk: due within 4 h", "Breached today", "Remediation plans to answer", `href="/manager"`)
	mine, _, err := s.e.Escalations.Mine(s.ctx, mgr.ID, true, paging.Request{Limit: 10})
	if err != nil || len(mine) == 0 {
		t.Fatalf("no escalation for the manager: %v", err)
	}
	r := m.post("/manager", "/manager/escalations/"+mine[0].ID.String()+"/acknowledge", nil)
	has(t, r, "Escalation acknowledged; it is on the incident")
	tl := m.get("/incidents/" + esc.ID.String())
	has(t, tl, "Escalation acknowledged", "Manager (You)")
	evs, err := s.e.Incidents.Timeline(s.ctx, s.outsider, esc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == tickets.KindEscalationAcknowledged {
			t.Fatal("the customer reads the acknowledgement")
		}
	}

	r = m.post("/manager", "/manager/reclassifications/"+req.ID.String(), url.Values{"decision": {"approve"}, "reason": {"confirmed by phone"}})
	has(t, r, "Decision recorded.")
	if got, _ := s.e.Incidents.Get(s.ctx, mgr, slow.ID); got.Severity != 2 {
		t.Fatalf("approved reclassification left severity %d", got.Severity)
	}

	rep := m.get("/manager/report")
	has(t, rep, "<svg", `class="bar-met"`, "premium", `href="/manager/report.csv?from=`)
	csv := m.get("/manager/report.csv")
	if csv.status != 200 || !strings.HasPrefix(csv.body, "tier,severity,incidents,first_response_met") ||
		!strings.Contains(csv.header.Get("Content-Disposition"), "sla-report-") {
		t.Fatalf("csv: %d %q %v", csv.status, csv.body, csv.header)
	}

	eng := s.signedIn(s.engineer)
	lacks(t, eng.get("/queue"), `href="/manager"`)
	for _, path := range []string{"/manager", "/manager/report", "/manager/report.csv"} {
		if r := eng.get(path); r.status != 403 {
			t.Errorf("engineer on %s: %d", path, r.status)
		}
	}
	if r := eng.post("/queue", "/manager/reclassifications/"+req.ID.String(), url.Values{"decision": {"reject"}, "reason": {"x"}}); r.status == 200 {
		t.Errorf("engineer decides a reclassification: %d", r.status)
	}
	// The executive sees the escalations addressed to them, not the office's worklists.
	x := s.signedIn(s.exec).get("/manager")
	has(t, x, "Escalations addressed to me")
	lacks(t, x, "Reclassification requests")
}

// TestManagerAnswersRemediation: a customer's formal escalation request (premium severity 2
// once the support-manager time has run; a drill policy of 1 s, in a database of the test's
// own) is listed for the manager, answered from the page with a plan and a time, and leaves the
// list; the customer reads the plan.
func TestManagerAnswersRemediation(t *testing.T) {
	s := newSiteAt(t, testenv.FreshDatabase(t), testenv.Redis(t).URL)
	secs := 1.0
	if _, err := s.e.Catalog.PutPolicy(s.ctx, s.admin.ID, sla.Premium, []catalog.Cell{
		{Severity: 2, Target: "support_manager", Seconds: &secs, Clock: "24x7"}}); err != nil {
		t.Fatal(err)
	}
	mgr := s.staffUser("manager", accounts.SupportManager)
	inc := s.open(s.member, "Reports time out", "Every report over 10,000 rows.", 2)
	time.Sleep(1100 * time.Millisecond)
	if _, err := s.e.Incidents.RequestEscalation(s.ctx, s.member, inc.ID, 1, "three days without a fix"); err != nil {
		t.Fatal(err)
	}
	m := s.signedIn(mgr)
	p := m.get("/manager")
	has(t, p, `action="/manager/remediation/`+inc.ID.String()+`"`, inc.Reference)
	if r := m.post("/manager", "/manager/remediation/"+inc.ID.String(), url.Values{"plan": {"x"}, "resolve_by": {"yesterday"}}); r.status != 422 {
		t.Errorf("a plan without a valid time: %d", r.status)
	}
	by := time.Now().In(mustZone("Asia/Tokyo")).Add(72 * time.Hour).Format("2006-01-02T15:04")
	r := m.post("/manager", "/manager/remediation/"+inc.ID.String(), url.Values{"plan": {"Index rebuild on Friday night"}, "resolve_by": {by}})
	has(t, r, "Plan sent to the customer.")
	lacks(t, r, `action="/manager/remediation/`+inc.ID.String()+`"`)
	has(t, s.signedIn(s.member).get("/incidents/"+inc.ID.String()), "Index rebuild on Friday night")
}

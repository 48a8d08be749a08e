package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/web"
	"github.com/supportd/supportd/sla"
)

// adminPages are every admin page a GET reaches, and a POST of each admin form.
func adminPages(s *site) (gets, posts []string) {
	org := "/admin/organizations/" + s.org.ID.String()
	gets = []string{"/admin", "/admin/organizations", org, "/admin/policies", "/admin/policies?tier=premium&severity=1&target=first_response",
		"/admin/calendars", "/admin/calendars/jp-business", "/admin/webhooks", "/admin/mailboxes"}
	posts = []string{"/admin/organizations", org, org + "/users", org + "/contracts", "/admin/staff",
		"/admin/users/" + s.outsider.ID.String() + "/deactivate", "/admin/policies/standard", "/admin/calendars/jp-business",
		"/admin/webhooks", "/admin/mailboxes"}
	return gets, posts
}

// TestAdminPagesRefuseOthers: every admin page and form is for the vendor's admins; engineers,
// managers, executives, organisation admins and members get 403 and see none of it, even with a
// valid CSRF token; the organisation page is for organisation admins only.
func TestAdminPagesRefuseOthers(t *testing.T) {
	s := newSite(t)
	gets, posts := adminPages(s)
	for _, u := range []accounts.User{s.engineer, s.exec, s.orgAdmin, s.member} {
		b := s.signedIn(u)
		for _, path := range gets {
			p := b.get(path)
			if p.status != 403 {
				t.Errorf("%s GET %s: %d", u.Role, path, p.status)
			}
			lacks(t, p, s.org.Name, "jp-business", "csrf_token\" value=\"\"")
		}
		for _, path := range posts {
			p := b.post("/account", path, url.Values{"name": {"x"}, "email": {"x@y.example"}, "role": {"admin"}})
			// Customers are told an organisation or user they may not manage does not exist.
			if p.status != 403 && !(p.status == 404 && u.Role.Customer()) {
				t.Errorf("%s POST %s: %d", u.Role, path, p.status)
			}
		}
		home := b.get("/organization")
		if want := 403; u.Role == accounts.OrgAdmin {
			if home.status != 200 {
				t.Errorf("org admin /organization: %d", home.status)
			}
		} else if home.status != want {
			t.Errorf("%s /organization: %d", u.Role, home.status)
		}
		// The menu offers what the role may open, nothing else.
		if menu := b.get("/account"); u.Role == accounts.OrgAdmin {
			has(t, menu, `href="/organization"`)
			lacks(t, menu, `href="/admin"`)
		} else {
			lacks(t, menu, `href="/admin"`, `href="/organization"`)
		}
	}
	if u, err := s.e.Accounts.FindUserByID(s.ctx, s.outsider.ID); err != nil || u.DeactivatedAt != nil {
		t.Fatalf("a refused deactivation deactivated: %v %v", u.DeactivatedAt, err)
	}
	// Not signed in: to the sign-in page.
	if p := s.browser().get("/admin/organizations"); p.url != "/signin" {
		t.Fatalf("anonymous: %d at %s", p.status, p.url)
	}
}

// TestAdminPagesRender: what an admin sees on each page, in English and Japanese.
func TestAdminPagesRender(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.admin0())
	p := b.get("/admin/organizations")
	has(t, p, s.org.Name, s.otherOrg.Name, "Invite a staff member", s.engineer.Email, `href="/admin/organizations/`+s.org.ID.String()+`"`)
	org := b.get("/admin/organizations/" + s.org.ID.String())
	has(t, org, s.org.Name, s.member.Email, s.orgAdmin.Email, "EP-"+s.org.ID.String(), "FW-"+s.org.ID.String(), "active", "expired",
		"Renew", "Extend", "Add contract", "Invite")
	lacks(t, org, s.outsider.Email)
	pol := b.get("/admin/policies?tier=premium&severity=2&target=first_response")
	has(t, pol, "Premium", "First response", `class="editing"`, `name="action" value="preview"`, `value="jp-business"`)
	cals := b.get("/admin/calendars")
	has(t, cals, "jp-business", "Asia/Tokyo", "09:00-17:30", "8h30m")
	// January 2026 in jp-business: 1–3 closed (annual closure), 12th Coming-of-Age Day closed, 5th open 8h30m.
	month := b.get("/admin/calendars/jp-business?month=2026-01")
	// 22 weekdays, less 1–2 Jan (closure) and 12 Jan: 19 × 8h30m.
	has(t, month, "2026-01", "Open in this month: 161h30m")
	if n := strings.Count(month.body, `class="closed"`); n != 12 { // 1, 2, 12 Jan and nine weekend days
		t.Errorf("closed days in January 2026: %d, want 12", n)
	}
	has(t, b.get("/admin/webhooks"), "New webhook", "Subscribe")
	has(t, b.get("/admin/mailboxes"), "New mailbox")
	b.lang = "ja"
	ja := b.get("/admin/organizations")
	has(t, ja, "組織", "スタッフを招待", `lang="ja"`)
}

// admin0 is the bootstrap admin with a password, for signing in.
func (s *site) admin0() accounts.User {
	s.t.Helper()
	u, err := s.e.Accounts.CreateUser(s.ctx, s.admin, accounts.NewUser{Email: fmt.Sprintf("admin-%d@web.example", seq.Add(1)),
		Name: "Ada Admin", Role: accounts.Admin, Office: "tokyo"})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.e.Accounts.SetPassword(s.ctx, s.admin, u.ID, "", password, nil); err != nil {
		s.t.Fatal(err)
	}
	return u
}

var orgLink = regexp.MustCompile(`/admin/organizations/([0-9a-f-]{36})\?done=org_created`)

// TestAdminActions: an admin creates an organisation (with a TSAM), changes its visibility,
// invites a user (who gets a working sign-in link by e-mail), deactivates and reactivates them,
// adds a contract, renews and extends it; a refused form keeps what was typed and says why.
func TestAdminActions(t *testing.T) {
	box := startSMTP(t)
	mailer, err := escalation.NewMailer("smtp://" + box.addr + "?from=support@web.test")
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t, func(d *web.Deps) { d.Mailer = mailer })
	a := s.admin0()
	b := s.signedIn(a)
	tsam := s.mkStaff("tsam", accounts.SupportManager)
	name := fmt.Sprintf("Kiso Works %d", seq.Add(1))
	p := b.post("/admin/organizations", "/admin/organizations", url.Values{"name": {name}, "office": {"osaka"}, "tier": {"platinum"},
		"tsam_id": {tsam.ID.String()}})
	has(t, p, "The organisation was created.", name)
	org, err := s.e.Accounts.FindOrganizationByName(s.ctx, name)
	if err != nil || org.Tier != "platinum" || org.TSAMID == nil || *org.TSAMID != tsam.ID || org.Office != "osaka" {
		t.Fatalf("created %+v %v", org, err)
	}
	orgPath := "/admin/organizations/" + org.ID.String()

	dup := b.post("/admin/organizations", "/admin/organizations", url.Values{"name": {strings.ToUpper(name)}, "tier": {"standard"}})
	if dup.status != 422 {
		t.Fatalf("duplicate name: %d", dup.status)
	}
	has(t, dup, `value="`+strings.ToUpper(name)+`"`)

	p = b.post(orgPath, orgPath, url.Values{"incident_visibility": {"own"}, "tsam_id": {""}})
	has(t, p, "The organisation was saved.")
	if org, _ = s.e.Accounts.FindOrganizationByID(s.ctx, org.ID); org.IncidentVisibility != accounts.VisibilityOwn || org.TSAMID != nil {
		t.Fatalf("saved %+v", org)
	}

	email := fmt.Sprintf("new-%d@kiso.example", seq.Add(1))
	p = b.post(orgPath, orgPath+"/users", url.Values{"email": {email}, "name": {"Nao"}, "role": {"org_admin"}})
	has(t, p, "invitation e-mail is on its way", email)
	msg := box.wait(t, 1)[0]
	link := regexp.MustCompile(`/signin/link/[A-Za-z0-9_-]+`).FindString(msg)
	if link == "" || !strings.Contains(msg, "Ada Admin") || !strings.Contains(msg, "72 hours") {
		t.Fatalf("invitation mail:\n%s", msg)
	}
	invited, err := s.e.Accounts.FindUserByEmail(s.ctx, email)
	if err != nil || invited.Role != accounts.OrgAdmin || invited.OrganizationID == nil || *invited.OrganizationID != org.ID {
		t.Fatalf("invited %+v %v", invited, err)
	}
	nb := s.browser()
	if p := nb.post(link, link, nil); p.url != "/" && !strings.Contains(p.body, "Nao") {
		t.Fatalf("invitation link: %d at %s", p.status, p.url)
	}
	has(t, nb.get("/account"), "Nao")

	p = b.post(orgPath, "/admin/users/"+invited.ID.String()+"/deactivate", url.Values{"back": {orgPath}})
	has(t, p, "The user was deactivated", "Reactivate")
	if p := nb.get("/account"); p.url != "/signin" {
		t.Fatalf("a deactivated user's session still works: %d at %s", p.status, p.url)
	}
	p = b.post(orgPath, "/admin/users/"+invited.ID.String()+"/reactivate", url.Values{"back": {orgPath}})
	has(t, p, "The user was reactivated.")

	p = b.post(orgPath, orgPath+"/contracts", url.Values{"product": {"gateway"}, "tier": {"platinum"}, "license_type": {"subscription"},
		"starts": {"2026-01-01"}, "ends": {"2027-01-01"}, "seats": {"25"}, "serial_number": {"GW-" + org.ID.String()}, "renewal_window_days": {"90"}})
	has(t, p, "The contract was added.", "GW-"+org.ID.String())
	views, err := s.e.Entitlements.Report(s.ctx, a, org.ID)
	if err != nil || len(views) != 1 || views[0].Seats != 25 || views[0].EndsAt.In(mustZone("Asia/Tokyo")).Format("2006-01-02") != "2027-01-01" {
		t.Fatalf("contract %+v %v", views, err)
	}
	bad := b.post(orgPath, orgPath+"/contracts", url.Values{"product": {"gateway"}, "tier": {"platinum"}, "license_type": {"subscription"},
		"starts": {"2026-01-01"}, "ends": {"2025-01-01"}, "serial_number": {"GW2"}})
	if bad.status != 422 {
		t.Fatalf("end before start: %d\n%s", bad.status, bad.body)
	}
	id := views[0].ID.String()
	p = b.post(orgPath, "/admin/contracts/"+id+"/renew", url.Values{"organization_id": {org.ID.String()}, "starts": {"2027-01-01"},
		"ends": {"2028-01-01"}, "serial_number": {"GW2-" + org.ID.String()}})
	has(t, p, "The contract was renewed.", "GW2-"+org.ID.String())
	p = b.post(orgPath, "/admin/contracts/"+id+"/extend", url.Values{"organization_id": {org.ID.String()}, "until": {"2028-02-15"},
		"reason": {"PO in approval"}})
	has(t, p, "The contract was extended.", "extended until 2028-02-15")
}

func (s *site) mkStaff(who string, role accounts.Role) accounts.User {
	s.t.Helper()
	u, err := s.e.Accounts.CreateUser(s.ctx, s.admin, accounts.NewUser{Email: fmt.Sprintf("%s-%d@vendor.example", who, seq.Add(1)),
		Name: strings.ToUpper(who), Role: role, Office: "tokyo"})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// TestAdminPolicyPreviewThenSave: previewing a cell plans the draft without saving it (the
// version stays); saving makes a new version with the cell; a malformed amount is explained.
func TestAdminPolicyPreviewThenSave(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.admin0())
	before, err := s.e.Catalog.CurrentPolicy(s.ctx, sla.Premium)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"severity": {"3"}, "target": {"first_response"}, "kind": {"business_days"}, "amount": {"2"},
		"clock": {"jp-business"}, "accepted_at": {"2026-01-09T16:00"}, "action": {"preview"}}
	from := "/admin/policies?tier=premium&severity=3&target=first_response"
	p := b.post(from, "/admin/policies/premium", form)
	// Friday 9 Jan 16:00 JST + 2 business days (8h30m each) on jp-business: Monday 12 Jan is a
	// holiday, so Wednesday 14 Jan 16:00.
	has(t, p, "Preview (nothing saved)", "2026-01-14 16:00 JST", "2026-01-12")
	if after, _ := s.e.Catalog.CurrentPolicy(s.ctx, sla.Premium); after.Version != before.Version {
		t.Fatalf("a preview saved: version %d → %d", before.Version, after.Version)
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("kind", "duration")
	bad.Set("amount", "two hours")
	if p := b.post(from, "/admin/policies/premium", bad); p.status != 422 {
		t.Fatalf("bad amount: %d", p.status)
	} else {
		has(t, p, "Please check the values you entered.", "30m, 4h")
	}
	form.Set("action", "save")
	p = b.post(from, "/admin/policies/premium", form)
	has(t, p, "The policy was saved as a new version.")
	after, err := s.e.Catalog.CurrentPolicy(s.ctx, sla.Premium)
	if err != nil || after.Version != before.Version+1 {
		t.Fatalf("version %d → %d (%v)", before.Version, after.Version, err)
	}
	for _, c := range after.Cells {
		if c.Severity == 3 && c.Target == sla.FirstResponse && (c.Kind != sla.BusinessDays || c.BusinessDays != 2 || c.Clock != "jp-business") {
			t.Fatalf("saved cell %+v", c)
		}
	}
}

// TestAdminCalendarsAndHooks: a new calendar is saved from the form and its month shows its
// open time; a webhook is created (its secret shown once) and deactivated; a private target is
// refused with the reason; a mailbox is added and paused.
func TestAdminCalendarsAndHooks(t *testing.T) {
	s := newSite(t)
	b := s.signedIn(s.admin0())
	name := fmt.Sprintf("weekend-%d", seq.Add(1))
	p := b.post("/admin/calendars/"+name, "/admin/calendars/"+name, url.Values{"time_zone": {"UTC"}, "hours_saturday": {"10:00-14:00"},
		"hours_sunday": {"10:00-14:00"}, "holidays": {"2026-02-07"}, "closures": {""}})
	has(t, p, "The calendar was saved as a new version.")
	month := b.get("/admin/calendars/" + name + "?month=2026-02")
	// February 2026 has 4 Saturdays and 4 Sundays; the 7th is a holiday: 7 days × 4 h.
	has(t, month, "Open in this month: 28h", "4h")
	bad := b.post("/admin/calendars/"+name, "/admin/calendars/"+name, url.Values{"time_zone": {"Mars/Olympus"}, "hours_monday": {"09:00-17:00"}})
	if bad.status != 422 {
		t.Fatalf("bad zone: %d", bad.status)
	}

	p = b.post("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"https://127.0.0.1/hook"}})
	if p.status != 422 {
		t.Fatalf("private target: %d", p.status)
	}
	has(t, p, "public address")
	p = b.post("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"https://93.184.216.34/hook"}, "name": {"SIEM"},
		"organization": {s.org.Name}, "events": {"renewal_reminder"}})
	has(t, p, "The webhook was created.", "whsec_", "SIEM", s.org.Name)
	if again := b.get("/admin/webhooks"); strings.Contains(again.body, "whsec_") {
		t.Fatal("the secret is shown twice")
	}
	hookID := regexp.MustCompile(`/admin/webhooks/([0-9a-f-]{36})/deactivate`).FindStringSubmatch(p.body)
	if hookID == nil {
		t.Fatal("no deactivate button")
	}
	p = b.post("/admin/webhooks", "/admin/webhooks/"+hookID[1]+"/deactivate", nil)
	has(t, p, "The webhook was deactivated.", "Inactive")

	box := fmt.Sprintf("help-%d", seq.Add(1))
	p = b.post("/admin/mailboxes", "/admin/mailboxes", url.Values{"name": {box}, "addresses": {box + "@vendor.example"}, "default_product": {"endpoint"}})
	has(t, p, "The mailbox was added.", box+"@vendor.example", "Not read yet", "Pause")
	mbID := regexp.MustCompile(`action="/admin/mailboxes/([0-9a-f-]{36})"`).FindStringSubmatch(p.body)
	if mbID == nil {
		t.Fatal("no pause button")
	}
	p = b.post("/admin/mailboxes", "/admin/mailboxes/"+mbID[1], url.Values{"active": {"0"}})
	has(t, p, "The mailbox was saved.", "Resume")
}

// TestOrgAdminPage: an organisation's admin sees their contracts with state, days left, renewal
// facts and reminder dates, their users and groups and the credit ledger; invites a colleague;
// deactivates a member; and cannot touch another organisation's user.
func TestOrgAdminPage(t *testing.T) {
	s := newSite(t)
	if _, err := s.e.Accounts.CreateGroup(s.ctx, s.orgAdmin, accounts.NewGroup{Name: "CSIRT"}); err != nil {
		t.Fatal(err)
	}
	b := s.signedIn(s.orgAdmin)
	p := b.get("/organization")
	has(t, p, s.org.Name, "EP-"+s.org.ID.String(), "FW-"+s.org.ID.String(), "active", "expired", "90 days before",
		"Renewal window: 90 days", "A reinstatement fee applies", "CSIRT", s.member.Email, "SLA credits", "No SLA credits")
	lacks(t, p, s.outsider.Email, s.otherOrg.Name)
	email := fmt.Sprintf("coll-%d@web.example", seq.Add(1))
	p = b.post("/organization", "/organization/users", url.Values{"email": {email}, "name": {"Col"}, "role": {"admin"}})
	has(t, p, "invitation e-mail is on its way", email)
	u, err := s.e.Accounts.FindUserByEmail(s.ctx, email)
	if err != nil || u.Role != accounts.Member || *u.OrganizationID != s.org.ID {
		t.Fatalf("an org admin's invitation: %+v %v", u, err)
	}
	p = b.post("/organization", "/admin/users/"+s.member2.ID.String()+"/deactivate", url.Values{"back": {"/organization"}})
	has(t, p, "The user was deactivated")
	if p := b.post("/organization", "/admin/users/"+s.outsider.ID.String()+"/deactivate", url.Values{"back": {"/organization"}}); p.status != 404 {
		t.Fatalf("another organisation's user: %d", p.status)
	}
	b.lang = "ja"
	has(t, b.get("/organization"), "契約")
}

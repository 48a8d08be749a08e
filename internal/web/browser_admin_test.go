package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/supportd/supportd/sla"
)

// An admin creates an organisation and a contract for it, previews a policy cell on a chosen
// date and saves it, and looks through every admin page; then an organisation's admin opens
// their contracts page. Every page passes axe-core.
func TestBrowserAdmin(t *testing.T) {
	s := newSite(t)
	a := s.admin0()
	ctx := chrome(t)
	run(t, ctx, chromedp.Navigate(s.base+"/signin"), chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, a.Email), chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`),
		chromedp.WaitVisible(`.menu`),
		chromedp.Click(`a[href="/admin"]`, chromedp.NodeVisible), chromedp.WaitVisible(`#org-name`))
	accessible(t, ctx, "admin organisations")
	shot(t, ctx, "admin-organizations")

	name := "Hokuriku Logistics " + time.Now().Format("150405.000")
	run(t, ctx,
		chromedp.SendKeys(`#org-name`, name),
		chromedp.SendKeys(`#org-office`, "osaka"),
		chromedp.SetValue(`#org-tier`, "premium"),
		chromedp.Submit(`#org-name`),
		waitText(`.notice.ok`, "The organisation was created."))
	accessible(t, ctx, "admin organisation")
	run(t, ctx,
		chromedp.SendKeys(`#c-product`, "endpoint"),
		chromedp.SetValue(`#c-tier`, "premium"),
		chromedp.SetValue(`#c-ends`, "2030-03-31"),
		chromedp.SendKeys(`#c-seats`, "0"),
		chromedp.SendKeys(`#c-serial`, "HL-2030-0001"),
		chromedp.Submit(`#c-product`),
		waitText(`.notice.ok`, "The contract was added."),
		waitText(`main`, "HL-2030-0001"))
	accessible(t, ctx, "admin organisation with contract")
	shot(t, ctx, "admin-organization")
	org, err := s.e.Accounts.FindOrganizationByName(s.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if views, err := s.e.Entitlements.Report(s.ctx, a, org.ID); err != nil || len(views) != 1 || views[0].SerialNumber != "HL-2030-0001" {
		t.Fatalf("contract: %+v %v", views, err)
	}

	before, err := s.e.Catalog.CurrentPolicy(s.ctx, sla.Platinum)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Click(`.subnav a[href="/admin/policies"]`), chromedp.WaitVisible(`table.matrix`),
		chromedp.Click(`.tabs a[href="/admin/policies?tier=platinum"]`), waitText(`main h2`, "Platinum"))
	accessible(t, ctx, "policies")
	run(t, ctx, chromedp.Click(`a[href="/admin/policies?tier=platinum&severity=2&target=first_response#edit"]`), chromedp.WaitVisible(`#amount`),
		chromedp.SetValue(`#kind`, "duration"),
		chromedp.SetValue(`#amount`, "45m"),
		chromedp.SetValue(`#clock`, "24x7"),
		chromedp.SetValue(`#accepted_at`, "2026-12-31T23:30"),
		chromedp.Click(`button[value=preview]`),
		waitText(`#preview`, "2027-01-01 00:15 JST"))
	accessible(t, ctx, "policy preview")
	shot(t, ctx, "admin-policy-preview")
	if now, _ := s.e.Catalog.CurrentPolicy(s.ctx, sla.Platinum); now.Version != before.Version {
		t.Fatal("the preview saved the policy")
	}
	run(t, ctx, chromedp.Click(`button[value=save]`), waitText(`.notice.ok`, "saved as a new version"))
	after, err := s.e.Catalog.CurrentPolicy(s.ctx, sla.Platinum)
	if err != nil || after.Version != before.Version+1 {
		t.Fatalf("version %d → %d (%v)", before.Version, after.Version, err)
	}
	for _, c := range after.Cells {
		if c.Severity == 2 && c.Target == sla.FirstResponse && (c.Kind != sla.Duration || c.Duration != 45*time.Minute) {
			t.Fatalf("saved %+v", c)
		}
	}

	for _, p := range []struct{ path, sel, name, shot string }{
		{"/admin/calendars", `main h3`, "calendars", ""},
		{"/admin/calendars/jp-business?month=2026-01", `table.month`, "calendar month", "admin-calendar"},
		{"/admin/webhooks", `#wh-url`, "webhooks", ""},
		{"/admin/mailboxes", `#mb-name`, "mailboxes", ""},
	} {
		run(t, ctx, chromedp.Navigate(s.base+p.path), chromedp.WaitVisible(p.sel))
		accessible(t, ctx, p.name)
		if p.shot != "" {
			shot(t, ctx, p.shot)
		}
	}

	run(t, ctx, chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, s.orgAdmin.Email), chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`),
		chromedp.WaitVisible(`.menu`),
		chromedp.Click(`a[href="/organization"]`, chromedp.NodeVisible), waitText(`main`, "EP-"+s.org.ID.String()))
	accessible(t, ctx, "organisation admin")
	shot(t, ctx, "org-contracts")
}

package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/sla/catalog"
	"github.com/supportd/supportd/tickets"
)

// signInAs signs the browser in as u (signing out whoever was signed in).
func signInAs(t *testing.T, ctx context.Context, s *site, u accounts.User) {
	t.Helper()
	run(t, ctx, chromedp.ActionFunc(func(ctx context.Context) error { return network.ClearBrowserCookies().Do(ctx) }),
		chromedp.Navigate(s.base+"/signin"), chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, u.Email), chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`),
		chromedp.WaitVisible(`header .who`))
}

// keyboardReachesAll presses Tab through the page and fails when a visible link, button, field
// or <details> summary was never focused (of a radio group only the checked radio takes Tab).
func keyboardReachesAll(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var n int
	run(t, ctx, chromedp.Evaluate(`(() => {
		const els = [...document.querySelectorAll('a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, summary')]
			.filter(e => e.getClientRects().length > 0 || e.classList.contains('skip'))
			.filter(e => !(e.type === 'radio' && !e.checked));
		els.forEach((e, i) => e.dataset.kb = String(i));
		window.kbSeen = new Set();
		document.addEventListener('focusin', ev => { if (ev.target.dataset && ev.target.dataset.kb) window.kbSeen.add(ev.target.dataset.kb); });
		if (document.activeElement) document.activeElement.blur();
		window.scrollTo(0, 0);
		return els.length;
	})()`, &n))
	// Tab in batches until every element was focused; date fields take a Tab per part (year,
	// month, day), so allow a few stops per element.
	began := time.Now()
	for pressed := 0; pressed < 3*n+5; pressed += 10 {
		var seen int
		run(t, ctx, chromedp.KeyEvent(strings.Repeat(kb.Tab, 10)), chromedp.Evaluate(`window.kbSeen.size`, &seen))
		if seen == n {
			break
		}
	}
	t.Logf("keyboard on %s: %d elements in %v", name, n, time.Since(began).Round(time.Millisecond))
	var missing []string
	run(t, ctx, chromedp.Evaluate(`[...document.querySelectorAll('[data-kb]')].filter(e => !window.kbSeen.has(e.dataset.kb)).map(e => e.outerHTML.slice(0, 100))`, &missing))
	if len(missing) > 0 {
		t.Errorf("keyboard on %s: %d of %d never focused by Tab: %v", name, len(missing), n, missing)
	}
	if n < 5 {
		t.Errorf("keyboard on %s: only %d focusable elements found", name, n)
	}
}

// An engineer works the queue in a browser: the list shows another engineer's claim without a
// reload, a badge turns red in the browser when its deadline passes, Claim next opens the most
// urgent incident, acknowledging it changes its badge from first response to next update, an
// internal note is marked, and the customer's page of the incident never shows it. Every staff
// page passes axe-core and is reachable by keyboard.
func TestBrowserEngineerClaimsAndAcknowledges(t *testing.T) {
	s := newSiteAt(t, testenv.FreshDatabase(t), testenv.Redis(t).URL)
	senior, other := s.staffUser("senior", accounts.Engineer), s.staffUser("colleague", accounts.Engineer)
	urgent := s.open(s.member, "Mail gateway rejects all inbound mail", "Every message bounces with 451 since 09:10 JST.", 2)
	vpn := s.open(s.member2, "VPN clients drop every 20 minutes", "About 40 remote users are affected.", 3)
	s.open(s.member, "Question about licence transfer", "Can we move 10 seats to our subsidiary?", 4)
	ctx := chrome(t)

	signInAs(t, ctx, s, senior)
	run(t, ctx, chromedp.Navigate(s.base+"/queue"), waitText(`#queue-list`, vpn.Reference))
	accessible(t, ctx, "workspace")
	shot(t, ctx, "workspace")
	keyboardReachesAll(t, ctx, "workspace")

	// Another engineer takes the VPN incident: the list shows it within a poll, no reload.
	run(t, ctx, chromedp.Evaluate(`window.noReload = true`, nil))
	if _, err := s.e.Incidents.Assign(s.ctx, other, vpn.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	row := `tr[data-incident="` + vpn.ID.String() + `"] .assignee`
	run(t, ctx, waitTextFor(row, "Taken", 30*time.Second))
	var same bool
	run(t, ctx, chromedp.Evaluate(`window.noReload === true`, &same))
	if !same {
		t.Fatal("the list reloaded the page to show the claim")
	}
	// Badges tick in the browser: a deadline that passes turns the badge red before any poll.
	run(t, ctx, chromedp.Evaluate(`document.querySelector('[data-due]').setAttribute('data-due', new Date(Date.now() + 1500).toISOString()); true`, nil),
		chromedp.Poll(`document.querySelector('[data-due]').classList.contains('clock-overdue')`, nil, chromedp.WithPollingTimeout(5*time.Second)))

	run(t, ctx, chromedp.Click(`#claim button`), waitText(`.notice.ok`, "The incident is yours."))
	var loc string
	run(t, ctx, chromedp.Location(&loc))
	if !strings.Contains(loc, urgent.ID.String()) {
		t.Fatalf("claim next opened %s, want the severity 2 incident %s", loc, urgent.ID)
	}
	run(t, ctx, waitText(`.col-side .clock-name`, "First response"))
	accessible(t, ctx, "staff incident (new)")
	run(t, ctx, chromedp.SendKeys(`#ack-message`, "We are on it."), chromedp.Click(`#acknowledged button`),
		waitText(`.notice.ok`, "First response sent."), waitText(`.col-side .clock-name`, "Next update"),
		waitText(`.col-side .target.ts-met`, "First response"))
	const secret = "INTERNAL: the partner relay is on our block list"
	run(t, ctx, chromedp.SendKeys(`#body`, secret), chromedp.Click(`input[name=visibility][value=internal]`),
		chromedp.Click(`#updated button`), waitText(`.notice.ok`, "Posted."), waitText(`.entry.internal`, secret),
		chromedp.Click(`.col-side details summary`))
	accessible(t, ctx, "staff incident")
	shot(t, ctx, "staff-incident")
	keyboardReachesAll(t, ctx, "staff incident")

	// Someone else on the same incident is announced.
	if _, err := s.e.Incidents.Get(s.ctx, other, urgent.ID); err != nil {
		t.Fatal(err)
	}
	colleague := s.signedIn(other)
	colleague.get("/incidents/" + urgent.ID.String() + "/presence")
	run(t, ctx, chromedp.Navigate(s.base+"/incidents/"+urgent.ID.String()), waitTextFor(`#presence`, "Colleague has this incident open.", 30*time.Second))
	accessible(t, ctx, "staff incident with presence")

	// The customer's page of the incident: the public part, never the note.
	signInAs(t, ctx, s, s.member)
	run(t, ctx, chromedp.Navigate(s.base+"/incidents/"+urgent.ID.String()), waitText(`#conversation`, "We are on it."))
	var body string
	run(t, ctx, chromedp.Text(`body`, &body))
	if strings.Contains(body, secret) || strings.Contains(body, "Internal note") {
		t.Fatal("the customer's page shows the internal note")
	}
	run(t, ctx, chromedp.Navigate(s.base+"/queue"), waitText(`main`, "does not exist"))
}

// An SLA drill: a policy in seconds makes a real escalation happen (workers running in-process
// against their own database and Redis), the manager sees it in the manager view and
// acknowledges it, and the acknowledgement is on the incident's timeline with who.
func TestBrowserDrillEscalationManagerAcknowledges(t *testing.T) {
	rd := testenv.PrivateRedis(t)
	s := newSiteAt(t, testenv.FreshDatabase(t), "redis://"+rd.Addr+"/0")
	mgr := s.staffUser("manager", accounts.SupportManager)
	secs := 2.0
	if _, err := s.e.Catalog.PutPolicy(s.ctx, s.admin.ID, sla.Standard, []catalog.Cell{
		{Severity: 2, Target: "support_manager", Seconds: &secs, Clock: "24x7"},
		{Severity: 3, Target: "first_response", Seconds: &secs, Clock: "24x7"}}); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.e.Work(wctx) }()
	t.Cleanup(func() { stop(); <-done })

	// The other organisation is standard, office tokyo like the manager.
	inc := s.open(s.outsider, "Nightly backup job fails", "Error 0x80070005 since Monday.", 2)
	late := s.open(s.outsider, "Agent update stuck at 80 %", "On 12 of 40 servers.", 3) // breaches in 2 s
	// The premium organisation: answered incidents for the report, one at risk, one reclassification request.
	for i, title := range []string{"Console unreachable after patch", "Policy push takes an hour"} {
		x := s.open(s.member, title, "Since this morning.", i+1)
		if _, err := s.e.Incidents.Assign(s.ctx, s.engineer, x.ID, s.engineer.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.e.Incidents.Acknowledge(s.ctx, s.engineer, x.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	risk := s.open(s.member, "Quarantine fills the disk", "92 % used and growing.", 2)
	slow := s.open(s.member, "Full scan twice as slow", "Since the 10.4 update.", 3)
	if _, _, err := s.e.Incidents.RequestReclassification(s.ctx, s.member, slow.ID, "it now blocks the night batch"); err != nil {
		t.Fatal(err)
	}
	ctx := chrome(t)
	signInAs(t, ctx, s, mgr)
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Each section is read on its own: the at-risk list names the escalated incident too, so
		// the whole page would show its reference before the escalation reached the manager.
		var text, escalations, breached string
		run(t, ctx, chromedp.Navigate(s.base+"/manager"), chromedp.WaitVisible(`#escalations`), chromedp.Text(`main`, &text),
			chromedp.Text(`#escalations`, &escalations), chromedp.Text(`#breached`, &breached))
		if strings.Contains(escalations, inc.Reference) && strings.Contains(breached, late.Reference) {
			run(t, ctx, waitText(`#escalations`, inc.Reference), waitText(`#breached`, late.Reference),
				waitText(`#at-risk`, risk.Reference), waitText(`#reclassifications`, slow.Reference))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the drill's escalation and breach never reached the manager view: %s", text)
		}
		time.Sleep(time.Second)
	}
	accessible(t, ctx, "manager view")
	shot(t, ctx, "manager")
	keyboardReachesAll(t, ctx, "manager view")
	run(t, ctx, chromedp.Click(`#escalations form button`), waitText(`.notice.ok`, "Escalation acknowledged"),
		waitText(`#escalations`, "Acknowledged"))
	evs, err := s.e.Incidents.Timeline(s.ctx, mgr, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	acked := false
	for _, e := range evs {
		acked = acked || (e.Kind == tickets.KindEscalationAcknowledged && e.ActorID != nil && *e.ActorID == mgr.ID)
	}
	if !acked {
		t.Fatalf("no acknowledgement by the manager on the timeline: %+v", evs)
	}
	run(t, ctx, chromedp.Navigate(s.base+"/incidents/"+inc.ID.String()), waitText(`#conversation`, "Escalation acknowledged"),
		waitText(`#conversation`, "Manager (You)"))

	run(t, ctx, chromedp.Navigate(s.base+"/manager/report"), chromedp.WaitVisible(`svg.chart`),
		chromedp.WaitVisible(`svg.chart rect.bar-met[width="300"]`), chromedp.WaitVisible(`svg.chart rect.bar-breached[width="300"]`))
	accessible(t, ctx, "SLA report")
	shot(t, ctx, "sla-report")
	keyboardReachesAll(t, ctx, "SLA report")
}

// waitTextFor is waitText with a longer patience (a poll of the page has to come round).
func waitTextFor(sel, text string, d time.Duration) chromedp.Action {
	return chromedp.Poll(`(() => { const e = document.querySelector(`+quoteJS(sel)+`); return !!e && e.innerText.includes(`+quoteJS(text)+`); })()`,
		nil, chromedp.WithPollingTimeout(d))
}

func quoteJS(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

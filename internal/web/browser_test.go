package web_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1 (MPL-2.0, testdata/axe.LICENSE), fetched once with
// `npm pack axe-core`; it is injected into pages by the tests only, never served.
//
//go:embed testdata/axe.min.js
var axeSource string

// chrome starts a headless Chromium for the test. Without one the test is skipped, unless CI is
// set: there a missing browser is a failure.
func chrome(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed (make deps installs it); CI must run the browser tests")
		}
		t.Skip("chromium is not installed; `make deps` installs it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 900), chromedp.Flag("lang", "en-US"), chromedp.Flag("accept-lang", "en-US,en"))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox itself as root
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var loc string
		_ = chromedp.Run(ctx, chromedp.Location(&loc))
		t.Fatalf("at %s: %v", loc, err)
	}
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// accessible runs axe-core on the current page and fails on any serious or critical violation.
func accessible(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var loaded bool
	run(t, ctx, chromedp.Evaluate(`typeof axe !== "undefined"`, &loaded))
	if !loaded {
		run(t, ctx, chromedp.Evaluate(axeSource+";true", &loaded))
	}
	var raw json.RawMessage
	run(t, ctx, chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => ({violations: r.violations}))`, &raw,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	var res axeResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("axe on %s: %v", name, err)
	}
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe on %s: %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			t.Logf("axe on %s: %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
	}
}

// shot writes a PNG of the page to docs/screenshots when SCREENSHOTS=1.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("SCREENSHOTS") != "1" {
		return
	}
	var png []byte
	run(t, ctx, chromedp.FullScreenshot(&png, 100))
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitText waits until the element's text contains text. It evaluates in whatever page is
// current, so it may follow a form submission or a click that navigates (the old page's
// execution context then disappears mid-poll, which is retried, not an error).
func waitText(sel, text string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		expr := fmt.Sprintf(`!!(document.querySelector(%q) && document.querySelector(%q).innerText.includes(%q))`, sel, sel, text)
		deadline := time.Now().Add(20 * time.Second)
		for {
			var ok bool
			err := chromedp.Evaluate(expr, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%q never showed %q (last error: %v)", sel, text, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// A customer signs in, opens an incident and replies (through htmx, without a reload); every
// page they pass is checked with axe-core.
func TestBrowserCustomerOpensAndReplies(t *testing.T) {
	s := newSite(t)
	ctx := chrome(t)
	engineerReplies := s.open(s.member, "Mail gateway rejects messages from partner domain",
		"Since 09:10 JST every message from partner.example bounces with 550 5.7.1.", 2)
	if _, err := s.e.Incidents.Assign(s.ctx, s.admin, engineerReplies.ID, s.engineer.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.e.Incidents.Acknowledge(s.ctx, s.engineer, engineerReplies.ID, "Severity 2 confirmed; Engineer is on it. Please send the gateway log of one bounce."); err != nil {
		t.Fatal(err)
	}
	s.open(s.member2, "License count shows 0 seats after renewal", "The console shows 0 of 250 seats used.", 3)

	run(t, ctx, chromedp.Navigate(s.base+"/incidents"), chromedp.WaitVisible(`#email`))
	accessible(t, ctx, "sign-in")
	shot(t, ctx, "signin")
	run(t, ctx,
		chromedp.SendKeys(`#email`, s.member.Email),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#results`))
	accessible(t, ctx, "incidents")
	shot(t, ctx, "incidents")

	// Live search: typing filters the list through htmx.
	run(t, ctx, chromedp.SendKeys(`#q`, "gateway"), waitText(`#results`, engineerReplies.Reference),
		chromedp.Poll(`!document.querySelector("#results").innerText.includes("License count")`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Poll(`location.search.includes("q=gateway")`, nil, chromedp.WithPollingTimeout(20*time.Second)))

	run(t, ctx, chromedp.Click(`a[href="/incidents/new"]`, chromedp.NodeVisible), chromedp.WaitVisible(`#title`))
	accessible(t, ctx, "new incident")
	shot(t, ctx, "new-incident")
	// A lapsed contract: the refusal with the renewal facts, the typed text kept.
	run(t, ctx,
		chromedp.Click(`input[name=product][value=firewall]`),
		chromedp.SendKeys(`#title`, "Firewall drops VPN"),
		chromedp.Submit(`#title`),
		waitText(`main`, "can still be renewed until"))
	accessible(t, ctx, "new incident refused")
	shot(t, ctx, "new-incident-refused")
	run(t, ctx, chromedp.Evaluate(`document.querySelector("#title").value = ""; true`, nil))
	// The form takes a file (multipart); the incident page then lists it with a download link.
	logFile := filepath.Join(t.TempDir(), "agent-crash.log")
	if err := os.WriteFile(logFile, []byte("10.4.0 agent: fatal error at start\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx,
		chromedp.Click(`input[name=product][value=endpoint]`),
		chromedp.SendKeys(`#title`, "Endpoint agent crashes on start"),
		chromedp.SendKeys(`#description`, "After the 10.4 update the agent stops within a minute on 30 of 250 PCs."),
		chromedp.Click(`input[name=severity][value="2"]`),
		chromedp.SetUploadFiles(`#files`, []string{logFile}),
		chromedp.Submit(`#title`),
		waitText(`.notice.ok`, "Your incident was opened"),
		waitText(`#attachments`, "agent-crash.log"))
	accessible(t, ctx, "incident (new)")

	run(t, ctx, chromedp.Evaluate(`window.noReload = true`, nil),
		chromedp.SendKeys(`#body`, "Event log attached to the ticket by mail."),
		chromedp.Click(`#replied button[type=submit]`),
		waitText(`#conversation`, "Event log attached to the ticket by mail."))
	var same bool
	run(t, ctx, chromedp.Evaluate(`window.noReload === true && document.querySelector("#body").value === ""`, &same))
	if !same {
		t.Fatal("the reply reloaded the page instead of swapping the conversation (htmx)")
	}
	var loc string
	run(t, ctx, chromedp.Location(&loc))
	u, _ := url.Parse(loc)
	if !strings.HasPrefix(u.Path, "/incidents/") {
		t.Fatalf("after the reply the browser is at %s", loc)
	}

	run(t, ctx, chromedp.Navigate(s.base+"/incidents/"+engineerReplies.ID.String()), waitText(`#conversation`, "gateway log"))
	accessible(t, ctx, "incident")
	shot(t, ctx, "incident")

	run(t, ctx, chromedp.Navigate(s.base+"/sessions"), chromedp.WaitVisible(`table`))
	accessible(t, ctx, "sessions")
	shot(t, ctx, "sessions")
	run(t, ctx, chromedp.Navigate(s.base+"/account"), chromedp.WaitVisible(`#locale`))
	accessible(t, ctx, "account")
	run(t, ctx, chromedp.Navigate(s.base+"/incidents/00000000-0000-0000-0000-000000000000"), chromedp.WaitVisible(`main h1`))
	accessible(t, ctx, "not found")

	// The same incident in Japanese, from the user's setting.
	run(t, ctx, chromedp.Navigate(s.base+"/account"), chromedp.WaitVisible(`#locale`),
		chromedp.SetValue(`#locale`, "ja"), chromedp.Submit(`#locale`), waitText(`.notice.ok`, "設定を保存しました"),
		chromedp.Navigate(s.base+"/incidents/"+engineerReplies.ID.String()), waitText(`#conversation`, "初回レスポンス"))
	accessible(t, ctx, "incident (ja)")
	shot(t, ctx, "incident-ja")
	run(t, ctx, chromedp.Navigate(s.base+"/incidents/new"), chromedp.WaitVisible(`#title`))
	accessible(t, ctx, "new incident (ja)")
	shot(t, ctx, "new-incident-ja")

	// Staff land on the queue.
	run(t, ctx, chromedp.Navigate(s.base+"/account"), chromedp.WaitVisible(`#locale`))
	run(t, ctx, chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, s.engineer.Email), chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`),
		waitText(`main`, engineerReplies.Reference))
	accessible(t, ctx, "queue")
	shot(t, ctx, "queue")
}

// The sign-in link pages pass axe too.
func TestBrowserLinkPagesAccessible(t *testing.T) {
	s := newSite(t)
	ctx := chrome(t)
	run(t, ctx, chromedp.Navigate(s.base+"/signin/link"), chromedp.WaitVisible(`#email`))
	accessible(t, ctx, "link request")
	run(t, ctx, chromedp.SendKeys(`#email`, "someone@nowhere.example"), chromedp.Submit(`#email`), waitText(`main`, "on its way"))
	accessible(t, ctx, "link sent")
	run(t, ctx, chromedp.Navigate(s.base+"/signin/link/not-a-token"), chromedp.WaitVisible(`main button`))
	accessible(t, ctx, "link confirm")
	run(t, ctx, chromedp.Click(`main button`), waitText(`main`, "unknown, already used or expired"))
	accessible(t, ctx, "link refused")
}

// A form posted without its CSRF token is refused with 403 and changes nothing.
func TestBrowserCSRFRefused(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Quarantine release fails", "Releasing a message gives error 17.", 3)
	ctx := chrome(t)
	run(t, ctx, chromedp.Navigate(s.base+"/signin"), chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, s.member.Email), chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#results`),
		chromedp.Navigate(s.base+"/incidents/"+inc.ID.String()), chromedp.WaitVisible(`#reclassification`),
		chromedp.Evaluate(`document.querySelector('#reclassification input[name=csrf_token]').remove(); true`, nil),
		chromedp.SendKeys(`#rc-reason`, "forged"),
		chromedp.Submit(`#rc-reason`),
		waitText(`main`, "did not come from this site"))
	accessible(t, ctx, "CSRF refusal")
	got, err := s.e.Incidents.Timeline(s.ctx, s.admin, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range got {
		if strings.HasPrefix(e.Kind, "reclassification") {
			t.Fatalf("a forged request was recorded: %+v", e)
		}
	}
}

// Ending a session from the sessions page stops that browser at once; ending one's own signs out.
func TestBrowserSessionRevoked(t *testing.T) {
	s := newSite(t)
	other := s.signedIn(s.member) // a second browser of the same user
	ctx := chrome(t)
	run(t, ctx, chromedp.Navigate(s.base+"/signin"), chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, s.member.Email), chromedp.SendKeys(`#password`, password), chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#results`),
		chromedp.Navigate(s.base+"/sessions"), chromedp.WaitVisible(`table`))
	var rows int
	run(t, ctx, chromedp.Evaluate(`document.querySelectorAll('tbody tr').length`, &rows))
	if rows != 2 {
		t.Fatalf("%d sessions listed, want 2", rows)
	}
	run(t, ctx, chromedp.Click(`tbody tr:not(.current) button`), waitText(`.notice.ok`, "The session was ended."))
	if p := other.get("/incidents"); p.url != "/signin" {
		t.Fatalf("the revoked browser still reaches %s", p.url)
	}
	run(t, ctx, chromedp.Click(`tbody tr.current button`), chromedp.WaitVisible(`#email`),
		chromedp.Navigate(s.base+"/incidents"), chromedp.WaitVisible(`#email`))
}

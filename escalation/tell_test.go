package escalation_test

import (
	"io"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/tickets"
)

// TestCustomersAreToldOfEachChange walks an incident through every customer-visible change and
// checks, for each, who got an inbox entry and an e-mail (received at a real SMTP server), and
// that the organisation's webhook got the event kind; staff-only steps (assignment, internal
// note, scope change, the escalation's recipients) reach no customer channel.
func TestCustomersAreToldOfEachChange(t *testing.T) {
	f := newTellFixture(t, "platinum")
	ctx := f.ctx
	sev := 2
	inc, _, err := f.svc.Open(ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "Mail relay down", Description: "all queues stuck", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(ctx, f.opener, inc, f.follower.ID); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"assign", func() error { _, err := f.svc.Assign(ctx, f.admin, inc.ID, f.engineer.ID); return err }},
		{"acknowledge", func() error { _, err := f.svc.Acknowledge(ctx, f.engineer, inc.ID, "Collecting logs now."); return err }},
		{"internal note", func() error {
			_, err := f.svc.PostUpdate(ctx, f.engineer, inc.ID, "SECRET-NOTE: customer misconfigured it", false)
			return err
		}},
		{"public update", func() error {
			_, err := f.svc.PostUpdate(ctx, f.engineer, inc.ID, "Relay restarted.", true)
			return err
		}},
		{"wait", func() error { _, err := f.svc.Wait(ctx, f.engineer, inc.ID, "Please send the relay log."); return err }},
		{"customer reply", func() error { _, err := f.svc.PostUpdate(ctx, f.opener, inc.ID, "Log attached.", true); return err }},
		{"severity change", func() error {
			three := 3
			_, err := f.svc.Patch(ctx, f.engineer, inc.ID, &three, nil, "a workaround keeps mail flowing")
			return err
		}},
		{"scope change", func() error {
			s := tickets.ScopeEnvironment
			_, err := f.svc.Patch(ctx, f.engineer, inc.ID, nil, &s, "SCOPE-REASON: custom relay build")
			return err
		}},
		{"scope back", func() error {
			s := tickets.ScopeProduct
			_, err := f.svc.Patch(ctx, f.engineer, inc.ID, nil, &s, "SCOPE-REASON: stock build after all")
			return err
		}},
		{"escalation request", func() error {
			_, err := f.svc.RequestEscalation(ctx, f.opener, inc.ID, 2, "need an executive")
			return err
		}},
		{"resolve", func() error { _, err := f.svc.Resolve(ctx, f.engineer, inc.ID, "Patched the relay."); return err }},
		{"reopen", func() error {
			gm := f.groupmate
			gm.Circle = []uuid.UUID{f.opener.ID, f.groupmate.ID} // as authentication loads it
			_, err := f.svc.Reopen(ctx, gm, inc.ID, "It failed again.")
			return err
		}},
	}
	f.send(t)
	for _, s := range steps {
		f.clock.Advance(time.Minute)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		f.send(t)
	}

	o, fo, g := f.opener.ID, f.follower.ID, f.groupmate.ID
	wantInbox := map[string][]uuid.UUID{
		escalation.KindIncidentReceived:        {o, g},
		escalation.KindIncidentAcknowledged:    {o, fo, g},
		escalation.KindIncidentUpdated:         {o, fo, g, fo, g}, // the opener's own reply is not sent back to them
		escalation.KindIncidentWaiting:         {o, fo, g},
		escalation.KindIncidentSeverityChanged: {o, fo, g},
		escalation.KindIncidentEscalated:       {fo, g}, // the opener asked for it
		escalation.KindIncidentResolved:        {o, fo, g},
		escalation.KindIncidentReopened:        {o, fo}, // the groupmate reopened it
	}
	gotInbox := f.told(t, inc.ID, "inbox")
	for kind, want := range wantInbox {
		if got := sorted(gotInbox[kind]); !slices.Equal(got, sorted(want)) {
			t.Errorf("inbox %s to %v, want %v", kind, names(f, got), names(f, sorted(want)))
		}
	}
	customers := []uuid.UUID{o, fo, g, f.bystander.ID, f.orgAdmin.ID}
	for kind, to := range gotInbox {
		if _, ok := wantInbox[kind]; !ok {
			for _, id := range to {
				if slices.Contains(customers, id) {
					t.Errorf("inbox %s to %v: not a customer notification", kind, names(f, []uuid.UUID{id}))
				}
			}
		}
	}
	// E-mail: the same minus the groupmate, who turned e-mail off.
	gotMail := f.told(t, inc.ID, "email")
	for kind, want := range wantInbox {
		want = slices.DeleteFunc(slices.Clone(want), func(id uuid.UUID) bool { return id == g })
		if got := sorted(gotMail[kind]); !slices.Equal(got, sorted(want)) {
			t.Errorf("e-mail %s to %v, want %v", kind, names(f, got), names(f, sorted(want)))
		}
	}
	if n := len(f.mailTo(t, f.opener.Email)); n != 7 {
		t.Errorf("opener received %d mails, want 7", n)
	}
	if n := len(f.mailTo(t, f.groupmate.Email)) + len(f.mailTo(t, f.bystander.Email)) + len(f.mailTo(t, f.orgAdmin.Email)); n != 0 {
		t.Errorf("%d mails to people who turned mail off or do not follow", n)
	}
	wantHooks := []string{escalation.KindIncidentReceived, escalation.KindIncidentAcknowledged, escalation.KindIncidentUpdated,
		escalation.KindIncidentWaiting, escalation.KindIncidentUpdated, escalation.KindIncidentSeverityChanged,
		escalation.KindIncidentEscalated, escalation.KindIncidentResolved, escalation.KindIncidentReopened}
	if got := f.hooks.kinds(); !slices.Equal(got, wantHooks) {
		t.Errorf("webhook kinds %v, want %v", got, wantHooks)
	}
	checkNoStaffContent(t, f, inc.ID)
	// Seed 003 §5.1: the first response states the severity and the engineer, in each language.
	for addr, want := range map[string]string{f.opener.Email: "at severity 2. Your engineer is Engineer Endo.",
		f.follower.Email: "重要度 2 で対応しています。担当エンジニアは Engineer Endo です。"} {
		nth := 0 // the follower was added after the intake
		if addr == f.opener.Email {
			nth = 1
		}
		if text := firstText(t, f.mailTo(t, addr)[nth]); !strings.Contains(text, want) || !strings.Contains(text, "Collecting logs now.") {
			t.Errorf("first response to %s reads %q, want %q and the engineer's message", addr, text, want)
		}
	}
	// What each mail says: the wait's question, the severity change with its reason, the resolution.
	opener := f.mailTo(t, f.opener.Email)
	for i, want := range map[int][]string{2: {"Relay restarted."}, 3: {"Please send the relay log."},
		4: {"from 2 to 3", "Reason: a workaround keeps mail flowing"}, 5: {"Patched the relay."}, 6: {"Reason: It failed again."}} {
		text := firstText(t, opener[i])
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("opener's mail %d reads %q, want %q", i, text, w)
			}
		}
	}
	checkThread(t, f, inc, f.follower.Email, []string{"担当エンジニア", "更新", "情報", "更新", "重要度", "エスカレーション", "解決", "再オープン"})
	checkThread(t, f, inc, f.opener.Email, []string{"Incident received", "engineer", "Update", "information", "Severity", "Resolved", "Reopened"})
}

// checkNoStaffContent: no customer-channel row, mail or webhook body carries the internal note,
// the scope reasons, or who was told of the escalation.
func checkNoStaffContent(t *testing.T, f *tellFixture, inc uuid.UUID) {
	t.Helper()
	var texts []string
	if err := f.db.Table("notifications n").Joins("LEFT JOIN users u ON u.id = n.recipient_id").
		Where("n.incident_id = ? AND (u.role IN ('member', 'org_admin') OR n.channel = 'webhook')", inc).
		Pluck("n.subject || ' ' || n.body || ' ' || n.data::text", &texts).Error; err != nil {
		t.Fatal(err)
	}
	customer := map[string]bool{}
	for _, u := range []string{f.opener.Email, f.follower.Email, f.groupmate.Email, f.bystander.Email, f.orgAdmin.Email} {
		customer[u] = true
	}
	for _, m := range f.box.messages() {
		if len(m.To) == 1 && customer[m.To[0]] {
			texts = append(texts, string(m.Data))
		}
	}
	f.hooks.mu.Lock()
	texts = append(texts, f.hooks.raw...)
	f.hooks.mu.Unlock()
	if len(texts) < 20 {
		t.Fatalf("only %d customer texts to check", len(texts))
	}
	for _, s := range texts {
		for _, secret := range []string{"SECRET-NOTE", "SCOPE-REASON", "Secretname", f.exec.Email, f.users[0].Email, f.exec.ID.String(), f.engineer.ID.String()} {
			if strings.Contains(s, secret) {
				t.Errorf("staff-only %q reached a customer channel: %.300s", secret, s)
			}
		}
	}
}

// checkThread reads the mails to addr: each in the incident's thread (References start with the
// incident's id, In-Reply-To the previous mail or the incident's id), with a Message-ID derived
// from its outbox row, the reference in the subject, the automatic-mail fields, text and HTML,
// and the subjects' words in order.
func checkThread(t *testing.T, f *tellFixture, inc tickets.Incident, addr string, words []string) {
	t.Helper()
	var ids []string
	if err := f.db.Table("notifications n").Joins("JOIN users u ON u.id = n.recipient_id").
		Where("n.incident_id = ? AND n.channel = 'email' AND u.email = ?", inc.ID, addr).Order("n.created_at, n.id").Pluck("n.id::text", &ids).Error; err != nil {
		t.Fatal(err)
	}
	mails := f.mailTo(t, addr)
	if len(mails) != len(words) || len(ids) != len(words) {
		t.Fatalf("%s: %d mails, %d rows, want %d", addr, len(mails), len(ids), len(words))
	}
	root := f.signer.IncidentMessageID(inc.ID)
	prev := root
	for i, m := range mails {
		h := m.Header
		mid, _ := h.MessageID()
		if want := f.signer.MessageID(uuid.MustParse(ids[i]), inc.ID); mid != want {
			t.Errorf("%s mail %d Message-ID %q, want %q (from its outbox row)", addr, i, mid, want)
		}
		irt, _ := h.MsgIDList("In-Reply-To")
		refs, _ := h.MsgIDList("References")
		if len(irt) != 1 || irt[0] != prev || len(refs) == 0 || refs[0] != root || (i > 0 && refs[len(refs)-1] != prev) {
			t.Errorf("%s mail %d In-Reply-To %v References %v, want to answer %s under %s", addr, i, irt, refs, prev, root)
		}
		prev = mid
		if h.Get("Auto-Submitted") != "auto-generated" || h.Get("X-Auto-Response-Suppress") != "All" {
			t.Errorf("%s mail %d: Auto-Submitted %q X-Auto-Response-Suppress %q", addr, i, h.Get("Auto-Submitted"), h.Get("X-Auto-Response-Suppress"))
		}
		raw := h.Get("Subject")
		subject, err := new(mime.WordDecoder).DecodeHeader(raw)
		if err != nil || !strings.HasPrefix(subject, "["+inc.Reference+"] ") || !strings.Contains(subject, words[i]) {
			t.Errorf("%s mail %d subject %q (%v), want [%s] and %q", addr, i, subject, err, inc.Reference, words[i])
		}
		for _, c := range raw {
			if c > 127 {
				t.Fatalf("%s mail %d: subject not RFC 2047 encoded: %q", addr, i, raw)
			}
		}
		if rt := h.Get("Reply-To"); !strings.Contains(rt, "support+"+f.signer.Token(inc.ID)+"@") {
			t.Errorf("%s mail %d Reply-To %q, want the incident's plus-address", addr, i, rt)
		}
		var types []string
		for {
			p, err := m.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			ct, _, _ := p.Header.(*gomail.InlineHeader).ContentType()
			types = append(types, ct)
			body, _ := io.ReadAll(p.Body)
			if !strings.Contains(string(body), inc.Reference) {
				t.Errorf("%s mail %d %s part lacks the reference: %q", addr, i, ct, body)
			}
		}
		if !slices.Equal(types, []string{"text/plain", "text/html"}) {
			t.Errorf("%s mail %d parts %v, want text and HTML", addr, i, types)
		}
	}
}

func firstText(t *testing.T, m *gomail.Reader) string {
	t.Helper()
	p, err := m.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p.Body)
	return string(b)
}

func sorted(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func names(f *tellFixture, ids []uuid.UUID) []string {
	by := map[uuid.UUID]string{f.opener.ID: "opener", f.follower.ID: "follower", f.groupmate.ID: "groupmate",
		f.bystander.ID: "bystander", f.orgAdmin.ID: "org admin", f.exec.ID: "executive", f.engineer.ID: "engineer"}
	var out []string
	for _, id := range ids {
		n, ok := by[id]
		if !ok {
			n = id.String()
		}
		out = append(out, n)
	}
	return out
}

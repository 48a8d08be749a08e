package escalation_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/tickets"
	"gorm.io/gorm"
)

// tellAgain hands events to the teller in a transaction of its own, as a step would.
func (f *tellFixture) tellAgain(t *testing.T, inc tickets.Incident, events []tickets.Event) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	if err := f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		ids, err = f.teller.Tell(f.ctx, dbx.NewTx(tx, f.clock.Now()), inc, events)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func (f *tellFixture) rowsOfEvent(t *testing.T, id int64) []string {
	t.Helper()
	var data []string
	if err := f.db.Table("notifications").Where("dedup_key LIKE ?", "tell:"+strconv.FormatInt(id, 10)+":%").Pluck("data::text", &data).Error; err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStaffOnlyEntriesAreNeverTold is the whole class: every timeline kind the audience table
// makes staff-only (internal note, assignment, scope change, SLA plans and breaches, and any
// kind nobody decided), offered to the teller, writes nothing for anyone; an escalation tells
// its level, never its recipients, timer or arithmetic.
func TestStaffOnlyEntriesAreNeverTold(t *testing.T) {
	f := newTellFixture(t, "platinum")
	sev := 2
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(f.ctx, f.opener, inc, f.follower.ID); err != nil {
		t.Fatal(err)
	}
	next := int64(1 << 40) // entries never stored: IDs no real entry has
	staffKinds := 0
	for _, kind := range append(tickets.EventKinds(), "made_up_kind") {
		if tickets.EventAudience(kind) != tickets.AudienceStaff {
			continue
		}
		staffKinds++
		next++
		ev := tickets.Event{ID: next, IncidentID: inc.ID, Kind: kind, ActorID: &f.engineer.ID, At: f.clock.Now(),
			Data: map[string]any{"public": true, "body": "SECRET", "reason": "SECRET", "scope": "environment"}}
		if ids := f.tellAgain(t, inc, []tickets.Event{ev}); len(ids) != 0 || len(f.rowsOfEvent(t, next)) != 0 {
			t.Errorf("staff-only %s was told: %v %v", kind, ids, f.rowsOfEvent(t, next))
		}
	}
	if staffKinds < 5 {
		t.Fatalf("only %d staff-only kinds checked", staffKinds)
	}
	next++
	esc := tickets.Event{ID: next, IncidentID: inc.ID, Kind: tickets.KindEscalated, At: f.clock.Now(), Data: map[string]any{
		"level": 1, "reason": "deadline", "cause": "deadline", "recipients": []string{f.exec.Email}, "timer_id": uuid.NewString(),
		"explanation": []string{"SECRET arithmetic"}}}
	f.tellAgain(t, inc, []tickets.Event{esc})
	rows := f.rowsOfEvent(t, next)
	if len(rows) != 2*2+1+1 { // opener and follower: inbox and e-mail; the groupmate's inbox; the webhook
		t.Fatalf("escalation told in %d rows, want 6", len(rows))
	}
	for _, r := range rows {
		if strings.Contains(r, f.exec.Email) || strings.Contains(r, "SECRET") || strings.Contains(r, "timer_id") {
			t.Errorf("escalation told with staff-only fields: %s", r)
		}
	}
}

// TestStandardCustomersAreNotToldOfEscalation: seed 003 tells premium and platinum customers
// that their incident was escalated; a standard customer's timeline shows it, no message goes.
func TestStandardCustomersAreNotToldOfEscalation(t *testing.T) {
	f := newTellFixture(t, "standard")
	sev := 1
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	ev := tickets.Event{ID: 1<<40 + 99, IncidentID: inc.ID, Kind: tickets.KindEscalated, At: f.clock.Now(), Data: map[string]any{"level": 1, "reason": "deadline"}}
	if ids := f.tellAgain(t, inc, []tickets.Event{ev}); len(ids) != 0 || len(f.rowsOfEvent(t, ev.ID)) != 0 {
		t.Errorf("standard customer told of escalation: %v", ids)
	}
}

// TestToldOnceOnRedelivery: the same entries told again (a retried step, a duplicate task)
// write nothing, and a second sweep sends nothing.
func TestToldOnceOnRedelivery(t *testing.T) {
	f := newTellFixture(t, "premium")
	sev := 3
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(f.ctx, f.opener, inc, f.follower.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PostUpdate(f.ctx, f.opener, inc.ID, "more detail", true); err != nil {
		t.Fatal(err)
	}
	f.send(t)
	before := len(f.box.messages())
	events, err := f.svc.Timeline(f.ctx, f.admin, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == tickets.KindOpened {
			continue // the follower joined after the intake: telling it now would be news to them, not a repeat
		}
		if ids := f.tellAgain(t, inc, []tickets.Event{e}); len(ids) != 0 {
			t.Errorf("%s told again: %v", e.Kind, ids)
		}
	}
	f.send(t)
	if after := len(f.box.messages()); after != before || before != 2 { // received to the opener, the reply to the follower
		t.Errorf("mails %d then %d, want 2 and no more", before, after)
	}
}

// TestEmailIntakeAsksForPhoneConfirmation: a severity 1 asked for by e-mail is told as received
// at severity 3 with the request to confirm by phone.
func TestEmailIntakeAsksForPhoneConfirmation(t *testing.T) {
	f := newTellFixture(t, "premium")
	sev := 1
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "down", Description: "d", Severity: &sev,
		Channel: tickets.ChannelEmail, ChannelObserved: true}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.send(t)
	// The mail channel answers the customer's mail itself, threaded to it (tickets/inbound): the
	// opener gets no second receipt by e-mail, but their inbox holds it.
	if mails := f.mailTo(t, f.opener.Email); len(mails) != 0 {
		t.Fatalf("%d receipts by e-mail to the customer who mailed, want none (the mail channel answers)", len(mails))
	}
	var text string
	if err := f.db.Raw(`SELECT body FROM notifications WHERE incident_id = ? AND recipient_id = ? AND channel = 'inbox' AND kind = ?`,
		inc.ID, f.opener.ID, "incident_received").Row().Scan(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{inc.Reference, "at severity 3", "You asked for severity 1", "confirm severity 1 by phone"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt %q lacks %q", text, want)
		}
	}
}

// TestFollowerRules: followers are active customers of the incident's organisation who may see
// it, added by those who may act on it; anyone may stop following.
func TestFollowerRules(t *testing.T) {
	f := newTellFixture(t, "premium")
	sev := 3
	inc, _, err := f.svc.Open(f.ctx, f.opener, tickets.NewIncident{Product: "endpoint", Title: "t", Description: "d", Severity: &sev}, "")
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.acc.CreateOrganization(f.ctx, f.admin, accounts.NewOrganization{Name: "Other " + f.run, Office: "tokyo", Tier: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := f.acc.CreateUser(f.ctx, f.admin, accounts.NewUser{Email: f.run + "-stranger@example.test", Name: "S", Role: accounts.Member, OrganizationID: &other.ID})
	if err != nil {
		t.Fatal(err)
	}
	const ok = apperr.Kind(-1)
	for _, c := range []struct {
		name   string
		actor  accounts.User
		user   uuid.UUID
		status apperr.Kind // ok: success
	}{
		{"another organisation's user", f.opener, stranger.ID, apperr.Invalid},
		{"staff", f.opener, f.engineer.ID, apperr.Invalid},
		{"a member outside the opener's groups adds", f.bystander, f.follower.ID, apperr.Forbidden},
		{"the opener adds a colleague", f.opener, f.follower.ID, ok},
		{"again", f.opener, f.follower.ID, ok},
		{"the org admin adds", f.orgAdmin, f.bystander.ID, ok},
		{"an engineer adds", f.engineer, f.orgAdmin.ID, ok},
	} {
		_, err := f.followers.Follow(f.ctx, c.actor, inc, c.user)
		if (c.status == ok) != (err == nil) || (err != nil && apperr.KindOf(err) != c.status) {
			t.Errorf("%s: %v, want kind %d (-1: success)", c.name, err, c.status)
		}
	}
	list, err := f.followers.List(f.ctx, inc)
	if err != nil || len(list) != 3 {
		t.Fatalf("followers %+v %v, want 3", list, err)
	}
	if err := f.followers.Unfollow(f.ctx, f.bystander, inc, f.bystander.ID); err != nil {
		t.Errorf("a follower stops following: %v", err)
	}
	if err := f.followers.Unfollow(f.ctx, f.bystander, inc, f.follower.ID); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a member outside the groups removes another: %v", err)
	}
	if err := f.followers.Unfollow(f.ctx, f.opener, inc, f.bystander.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("removing a non-follower: %v", err)
	}
	// Under "own" visibility a member outside the opener's groups no longer sees the incident:
	// they cannot be added, and one added before is no longer told.
	own := accounts.VisibilityOwn
	if _, err := f.acc.UpdateOrganization(f.ctx, f.admin, f.org.ID, accounts.OrganizationPatch{IncidentVisibility: &own}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.followers.Follow(f.ctx, f.opener, inc, f.bystander.ID); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("a member who cannot see the incident follows: %v", err)
	}
	if _, err := f.svc.PostUpdate(f.ctx, f.engineer, inc.ID, "seen by whom", true); err != nil {
		t.Fatal(err)
	}
	got := f.told(t, inc.ID, "inbox")["incident_updated"]
	if want := sorted([]uuid.UUID{f.opener.ID, f.groupmate.ID, f.orgAdmin.ID}); !slices.Equal(sorted(got), want) {
		t.Errorf("update told to %v, want opener, groupmate and org admin (the follower cannot see it now)", names(f, sorted(got)))
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A customer confirms a resolution on the incident page: the button is there only while the
// incident is resolved and unconfirmed; afterwards the page says when it was confirmed, offers
// no reopen, and a forged reopen is refused with the reason. A colleague outside the opener's
// circle gets no button and cannot post one.
func TestIncidentPageConfirmResolution(t *testing.T) {
	s := newSite(t)
	inc := s.open(s.member, "Updates fail", "the updater stops at 40%", 3)
	path := "/incidents/" + inc.ID.String()
	b := s.signedIn(s.member)
	lacks(t, b.get(path), "Confirm resolution")
	if _, err := s.e.Incidents.Resolve(s.ctx, s.engineer, inc.ID, "Cleared the update cache"); err != nil {
		t.Fatal(err)
	}
	p := b.get(path)
	has(t, p, "Confirm the resolution", `action="`+path+`/confirm"`, "Confirm resolution", "Reopen incident")

	c := s.signedIn(s.member2)
	lacks(t, c.get(path), "Confirm resolution")
	if p := c.post(path, path+"/confirm", url.Values{"message": {"sneaky"}}); p.status != http.StatusForbidden {
		t.Fatalf("a member outside the circle confirms: %d", p.status)
	}

	p = b.post(path, path+"/confirm", url.Values{"message": {"Works again, thank you"}})
	has(t, p, "Thank you: the resolution is confirmed.", "Resolution confirmed", "Works again, thank you", "Resolution confirmed on")
	lacks(t, p, `action="`+path+`/confirm"`, "Reopen incident")
	p = b.post(path, path+"/reopen", url.Values{"reason": {"again"}})
	if p.status != http.StatusConflict {
		t.Fatalf("reopening a confirmed incident: %d", p.status)
	}
	has(t, p, "The resolution was confirmed, so this incident can no longer be reopened here.")
}

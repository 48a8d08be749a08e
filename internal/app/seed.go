package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/entitlement"
)

// demoOrgs are the demo's customers: one per tier. The platinum one's TSAM is tsamEmail.
var demoOrgs = []accounts.NewOrganization{
	{Name: "Sakura Trading", Office: "tokyo", Tier: "platinum"},
	{Name: "Fuji Logistics", Office: "tokyo", Tier: "premium"},
	{Name: "Kaede Clinic", Office: "osaka", Tier: "standard"},
}

var demoStaff = []accounts.NewUser{
	{Email: "hana.engineer@vendor.example", Name: "Hana (senior engineer)", Role: accounts.Engineer, Senior: true, Office: "tokyo"},
	{Email: "ken.engineer@vendor.example", Name: "Ken (engineer)", Role: accounts.Engineer, Office: "tokyo"},
	{Email: "mei.manager@vendor.example", Name: "Mei (support manager, Tokyo)", Role: accounts.SupportManager, Office: "tokyo"},
	{Email: "jun.manager@vendor.example", Name: "Jun (support manager, Osaka)", Role: accounts.SupportManager, Office: "osaka"},
	{Email: "aoi.exec@vendor.example", Name: "Aoi (office head, Tokyo)", Role: accounts.Executive, Office: "tokyo"},
}

// tsamEmail is the manager assigned to the platinum customer as its TSAM.
const tsamEmail = "mei.manager@vendor.example"

// demoGroup is the platinum customer's incident-response team (seed 003 §3.2): its member acts
// on incidents its admin opened and the other way round.
var demoGroup = accounts.NewGroup{Name: "Incident response", Description: "acts on each other's incidents"}

// SeedDemo creates what is missing of the demo (organisations, contracts, users, the platinum
// customer's group) and prints it with a web password and a token for each demo user. It is
// idempotent and quiet: a second run finds everything by name or e-mail before creating anything,
// so it writes nothing, makes no statement fail, ends no browser session, and prints the same
// passwords and tokens, which are derived from the admin token (see demoPassword, demoToken).
func (e *Engine) SeedDemo(ctx context.Context, w io.Writer) error {
	if e.Cfg.AdminToken == "" {
		return fmt.Errorf("the demo needs SUPPORT_ADMIN_TOKEN")
	}
	admin, err := e.Accounts.BootstrapAdmin(ctx, e.Cfg.AdminToken)
	if err != nil {
		return err
	}
	demo := demoPrintout{DatabaseURL: e.Cfg.DatabaseURL, RedisURL: e.Cfg.RedisURL,
		Users: []demoUser{{User: admin, Token: e.Cfg.AdminToken}}}
	staff := map[string]accounts.User{}
	for _, in := range demoStaff {
		u, err := e.ensureUser(ctx, admin, in)
		if err != nil {
			return err
		}
		staff[u.Email] = u
		demo.Users = append(demo.Users, demoUser{User: u})
	}
	for _, in := range demoOrgs {
		var tsam *accounts.User
		if in.Tier == "platinum" {
			t := staff[tsamEmail]
			tsam, in.TSAMID = &t, &t.ID
		}
		org, err := e.ensureOrganization(ctx, admin, in)
		if err != nil {
			return err
		}
		ents, err := e.ensureEntitlements(ctx, admin, org)
		if err != nil {
			return err
		}
		demo.Orgs = append(demo.Orgs, demoOrg{Org: org, TSAM: tsam, Contracts: ents})
		slug := map[string]string{"platinum": "sakura", "premium": "fuji", "standard": "kaede"}[in.Tier]
		var team []accounts.User
		for _, role := range []accounts.Role{accounts.OrgAdmin, accounts.Member} {
			u, err := e.ensureUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("%s.%s@%s.example", role, slug, slug),
				Name: fmt.Sprintf("%s %s", in.Name, role), Role: role, OrganizationID: &org.ID})
			if err != nil {
				return err
			}
			team = append(team, u)
			demo.Users = append(demo.Users, demoUser{User: u, Org: org.Name})
		}
		if in.Tier == "platinum" {
			if err := e.ensureGroup(ctx, admin, org, demoGroup, team); err != nil {
				return err
			}
			for i := len(demo.Users) - len(team); i < len(demo.Users); i++ {
				demo.Users[i].Notes = append(demo.Users[i].Notes, "group "+demoGroup.Name)
			}
		}
	}
	for i := range demo.Users {
		u := &demo.Users[i]
		if u.User.DeactivatedAt != nil {
			u.Token, u.Password = "(deactivated)", "(deactivated)"
		}
		if u.Password == "" {
			if err := e.ensureDemoPassword(ctx, u); err != nil {
				return err
			}
		}
		if u.Token == "" {
			u.Token = demoToken(e.Cfg.AdminToken, u.User.Email)
			if err := e.Accounts.EnsureToken(ctx, u.User.ID, u.Token, "demo"); err != nil {
				return err
			}
		}
		if u.User.Senior {
			u.Notes = append([]string{"senior"}, u.Notes...)
		}
		if u.User.Email == tsamEmail {
			u.Notes = append(u.Notes, "TSAM of "+demoOrgs[0].Name)
		}
	}
	return demo.print(w)
}

// demoToken derives a demo user's bearer token from the admin token, so that every `supportd
// dev` on the same data (which keeps its admin token in DATA_DIR/admin-token) prints the same
// credentials without storing them in plain text. Whoever holds the admin token may already do
// everything a demo user can.
func demoToken(adminToken, email string) string {
	m := hmac.New(sha256.New, []byte(adminToken))
	m.Write([]byte("supportd demo token\x00" + strings.ToLower(email)))
	return "spd_demo_" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ensureUser finds the user by e-mail, creating them only when missing.
func (e *Engine) ensureUser(ctx context.Context, admin accounts.User, in accounts.NewUser) (accounts.User, error) {
	u, err := e.Accounts.FindUserByEmail(ctx, in.Email)
	if apperr.Is(err, "not_found") {
		return e.Accounts.CreateUser(ctx, admin, in)
	}
	return u, err
}

// ensureGroup finds the organisation's group by name, creating it only when missing, and adds
// the members it lacks.
func (e *Engine) ensureGroup(ctx context.Context, admin accounts.User, org accounts.Organization, in accounts.NewGroup, members []accounts.User) error {
	gs, err := e.Accounts.ListGroups(ctx, admin, &org.ID)
	if err != nil {
		return err
	}
	var g *accounts.Group
	for i := range gs {
		if strings.EqualFold(gs[i].Name, in.Name) {
			g = &gs[i]
		}
	}
	if g == nil {
		in.OrganizationID = &org.ID
		created, err := e.Accounts.CreateGroup(ctx, admin, in)
		if err != nil {
			return err
		}
		g = &created
	}
	have := map[string]bool{}
	for _, m := range g.Members {
		have[m.UserID.String()] = true
	}
	for _, u := range members {
		if have[u.ID.String()] {
			continue
		}
		if _, err := e.Accounts.AddGroupMember(ctx, admin, g.ID, u.ID); err != nil {
			return err
		}
	}
	return nil
}

// ensureOrganization finds the organisation by name, creating it only when missing.
func (e *Engine) ensureOrganization(ctx context.Context, admin accounts.User, in accounts.NewOrganization) (accounts.Organization, error) {
	org, err := e.Accounts.FindOrganizationByName(ctx, in.Name)
	if apperr.Is(err, "not_found") {
		return e.Accounts.CreateOrganization(ctx, admin, in)
	}
	return org, err
}

// ensureEntitlements gives a demo organisation, when it has none, a current contract for
// "endpoint" at its tier, an add-on "mail-security" in an accepting grace period, and a lapsed
// "firewall" contract, so the demo shows acceptance, grace and a refusal with renewal facts. It
// returns the organisation's contracts.
func (e *Engine) ensureEntitlements(ctx context.Context, admin accounts.User, org accounts.Organization) ([]entitlement.View, error) {
	have, err := e.Entitlements.Report(ctx, admin, org.ID)
	if err != nil || len(have) > 0 {
		return have, err
	}
	now := e.Clock.Now().Truncate(24 * time.Hour)
	rates := map[int]float64(nil)
	if org.Tier != "standard" {
		rates = map[int]float64{1: 10, 2: 5, 3: 1, 4: 1}
	}
	slug := strings.ToUpper(strings.SplitN(org.Name, " ", 2)[0])
	ents := []entitlement.Entitlement{
		{Product: "endpoint", Tier: org.Tier, LicenseType: entitlement.Subscription, StartsAt: now.AddDate(0, -6, 0),
			EndsAt: now.AddDate(0, 6, 0), Seats: 250, SerialNumber: slug + "-EP-0001", RenewalWindowDays: 90,
			Grace: entitlement.GracePolicy{Days: 30, Intake: entitlement.GraceAccept}, CreditRates: rates},
		{Product: "mail-security", Tier: "standard", LicenseType: entitlement.Subscription, StartsAt: now.AddDate(-1, 0, -10),
			EndsAt: now.AddDate(0, 0, -10), Seats: 250, SerialNumber: slug + "-MS-0001", RenewalWindowDays: 90,
			Grace: entitlement.GracePolicy{Days: 30, Intake: entitlement.GraceAccept}},
		{Product: "firewall", Tier: org.Tier, LicenseType: entitlement.Perpetual, Maintenance: true, StartsAt: now.AddDate(-2, 0, 0),
			EndsAt: now.AddDate(0, -2, 0), Seats: 2, SerialNumber: slug + "-FW-0001", RenewalWindowDays: 90, ReinstatementFee: true},
	}
	for _, ent := range ents {
		if _, err := e.Entitlements.Create(ctx, admin, org.ID, ent); err != nil {
			return nil, err
		}
	}
	return e.Entitlements.Report(ctx, admin, org.ID)
}

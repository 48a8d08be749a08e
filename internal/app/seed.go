package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/entitlement"
)

// demoOrgs are the demo's customers: one per tier.
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

// demoGroup is the platinum customer's incident-response team (seed 003 §3.2): its member acts
// on incidents its admin opened and the other way round.
var demoGroup = accounts.NewGroup{Name: "Incident response", Description: "acts on each other's incidents"}

// SeedDemo creates the demo organisations and users where missing, and prints a fresh token for
// each demo user (tokens are stored hashed, so earlier ones cannot be shown again).
func (e *Engine) SeedDemo(ctx context.Context, w io.Writer) error {
	admin, err := e.Accounts.BootstrapAdmin(ctx, e.Cfg.AdminToken)
	if err != nil {
		return err
	}
	var users []accounts.User
	staff := map[string]accounts.User{}
	for _, in := range demoStaff {
		u, err := e.ensureUser(ctx, admin, in)
		if err != nil {
			return err
		}
		staff[u.Email] = u
		users = append(users, u)
	}
	for _, in := range demoOrgs {
		if in.Tier == "platinum" {
			id := staff["mei.manager@vendor.example"].ID
			in.TSAMID = &id
		}
		org, err := e.ensureOrganization(ctx, admin, in)
		if err != nil {
			return err
		}
		if err := e.ensureEntitlements(ctx, admin, org); err != nil {
			return err
		}
		slug := map[string]string{"platinum": "sakura", "premium": "fuji", "standard": "kaede"}[in.Tier]
		var team []accounts.User
		for _, role := range []accounts.Role{accounts.OrgAdmin, accounts.Member} {
			u, err := e.ensureUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("%s.%s@%s.example", role, slug, slug),
				Name: fmt.Sprintf("%s %s", in.Name, role), Role: role, OrganizationID: &org.ID})
			if err != nil {
				return err
			}
			users = append(users, u)
			team = append(team, u)
		}
		if in.Tier == "platinum" {
			if err := e.ensureGroup(ctx, admin, org, demoGroup, team); err != nil {
				return err
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "ROLE\tE-MAIL\tTOKEN\n")
	fmt.Fprintf(tw, "admin\t%s\t%s\n", admin.Email, e.Cfg.AdminToken)
	for _, u := range users {
		tok, err := e.Accounts.IssueToken(ctx, u.ID, "dev")
		if apperr.Is(err, "user_deactivated") {
			tok, err = "(deactivated)", nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Role, u.Email, tok)
	}
	return tw.Flush()
}

func (e *Engine) ensureUser(ctx context.Context, admin accounts.User, in accounts.NewUser) (accounts.User, error) {
	u, err := e.Accounts.CreateUser(ctx, admin, in)
	if apperr.Is(err, "user_exists") {
		return e.Accounts.FindUserByEmail(ctx, in.Email)
	}
	return u, err
}

func (e *Engine) ensureGroup(ctx context.Context, admin accounts.User, org accounts.Organization, in accounts.NewGroup, members []accounts.User) error {
	in.OrganizationID = &org.ID
	g, err := e.Accounts.CreateGroup(ctx, admin, in)
	if apperr.Is(err, "group_exists") {
		var gs []accounts.Group
		if gs, err = e.Accounts.ListGroups(ctx, admin, &org.ID); err == nil {
			for _, x := range gs {
				if strings.EqualFold(x.Name, in.Name) {
					g = x
				}
			}
		}
	}
	if err != nil {
		return err
	}
	for _, u := range members {
		if _, err := e.Accounts.AddGroupMember(ctx, admin, g.ID, u.ID); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) ensureOrganization(ctx context.Context, admin accounts.User, in accounts.NewOrganization) (accounts.Organization, error) {
	org, err := e.Accounts.CreateOrganization(ctx, admin, in)
	if apperr.Is(err, "organization_exists") {
		return e.Accounts.FindOrganizationByName(ctx, in.Name)
	}
	return org, err
}

// ensureEntitlements gives a demo organisation a current contract for "endpoint" at its tier, an
// add-on "mail-security" in an accepting grace period, and a lapsed "firewall" contract, so the
// demo shows acceptance, grace and a refusal with renewal facts.
func (e *Engine) ensureEntitlements(ctx context.Context, admin accounts.User, org accounts.Organization) error {
	have, err := e.Entitlements.Report(ctx, admin, org.ID)
	if err != nil || len(have) > 0 {
		return err
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
			return err
		}
	}
	return nil
}

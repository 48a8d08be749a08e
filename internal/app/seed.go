package app

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
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
		slug := map[string]string{"platinum": "sakura", "premium": "fuji", "standard": "kaede"}[in.Tier]
		for _, role := range []accounts.Role{accounts.OrgAdmin, accounts.Member} {
			u, err := e.ensureUser(ctx, admin, accounts.NewUser{Email: fmt.Sprintf("%s.%s@%s.example", role, slug, slug),
				Name: fmt.Sprintf("%s %s", in.Name, role), Role: role, OrganizationID: &org.ID})
			if err != nil {
				return err
			}
			users = append(users, u)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "ROLE\tE-MAIL\tTOKEN\n")
	fmt.Fprintf(tw, "admin\t%s\t%s\n", admin.Email, e.Cfg.AdminToken)
	for _, u := range users {
		tok, err := e.Accounts.IssueToken(ctx, u.ID, "dev")
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

func (e *Engine) ensureOrganization(ctx context.Context, admin accounts.User, in accounts.NewOrganization) (accounts.Organization, error) {
	org, err := e.Accounts.CreateOrganization(ctx, admin, in)
	if apperr.Is(err, "organization_exists") {
		return e.Accounts.FindOrganizationByName(ctx, in.Name)
	}
	return org, err
}

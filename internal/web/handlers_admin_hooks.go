package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/internal/apperr"
	paging "github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/tickets/inbound"
)

type webhooksData struct {
	Hooks  []escalation.Webhook
	Next   string
	Orgs   map[string]string // organisation names by ID
	Kinds  []string
	Form   map[string]string
	Secret string // a generated secret, shown once right after creation
}

func (s *Server) adminWebhooks(c *fiber.Ctx) error {
	return s.showWebhooks(c, fiber.StatusOK, nil, "", nil)
}

func (s *Server) showWebhooks(c *fiber.Ctx, status int, form map[string]string, secret string, failure error) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	req := paging.Request{Limit: 50}
	if v := c.Query("cursor"); v != "" {
		if cur, err := paging.ParseCursor(v); err == nil {
			req.Cursor = &cur
		}
	}
	d := webhooksData{Form: form, Secret: secret, Kinds: escalation.Kinds, Orgs: map[string]string{}}
	if d.Hooks, d.Next, err = s.deps.Admin.Webhooks.List(c.UserContext(), a, req); err != nil {
		return err
	}
	var ids []uuid.UUID
	for _, h := range d.Hooks {
		if h.OrganizationID != nil {
			ids = append(ids, *h.OrganizationID)
		}
	}
	orgs, err := s.deps.Accounts.FindOrganizations(c.UserContext(), ids)
	if err != nil {
		return err
	}
	for id, o := range orgs {
		d.Orgs[id.String()] = o.Name
	}
	p := s.page(c, "admin", "admin.webhooks.title", d)
	if failure != nil {
		p.Error, p.Detail = errorKey(failure)
	}
	return s.show(c, status, "admin_webhooks", p)
}

func (s *Server) adminCreateWebhook(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	form := formOf(c, "name", "url", "events", "organization")
	in := escalation.NewWebhook{Name: form["name"], URL: form["url"]}
	for _, e := range strings.FieldsFunc(form["events"], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		in.Events = append(in.Events, e)
	}
	if name := strings.TrimSpace(form["organization"]); name != "" {
		org, err := s.deps.Accounts.FindOrganizationByName(c.UserContext(), name)
		if err != nil {
			return s.showWebhooks(c, fiber.StatusUnprocessableEntity, form, "", apperr.InvalidField("organization", "no organisation is called %q", name))
		}
		in.OrganizationID = &org.ID
	}
	_, secret, err := s.deps.Admin.Webhooks.Create(c.UserContext(), a, in)
	if err != nil {
		var ae *apperr.Error
		if asAppErr(err, &ae) && (ae.Kind == apperr.Invalid || ae.Kind == apperr.Forbidden && ae.Code != "forbidden") {
			return s.showWebhooks(c, fiber.StatusUnprocessableEntity, form, "", err)
		}
		return err
	}
	// The generated secret is shown once, on this answer (not in a redirect's URL).
	c.Context().QueryArgs().Set("done", "webhook_created")
	return s.showWebhooks(c, fiber.StatusCreated, nil, secret, nil)
}

func (s *Server) adminDeactivateWebhook(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("webhook not found")
	}
	if err := s.deps.Admin.Webhooks.Deactivate(c.UserContext(), a, id); err != nil {
		return err
	}
	return c.Redirect("/admin/webhooks?done=webhook_deactivated", fiber.StatusSeeOther)
}

type mailboxesData struct {
	Boxes []inbound.Mailbox
	Form  map[string]string
}

func (s *Server) adminMailboxes(c *fiber.Ctx) error {
	return s.showMailboxes(c, fiber.StatusOK, nil, nil)
}

func (s *Server) showMailboxes(c *fiber.Ctx, status int, form map[string]string, failure error) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	if s.deps.Admin.Mail == nil {
		return apperr.NotFoundf("no mail channel")
	}
	d := mailboxesData{Form: form}
	if d.Boxes, err = s.deps.Admin.Mail.ListMailboxes(c.UserContext(), a); err != nil {
		return err
	}
	p := s.page(c, "admin", "admin.mailboxes.title", d)
	if failure != nil {
		p.Error, p.Detail = errorKey(failure)
	}
	return s.show(c, status, "admin_mailboxes", p)
}

func (s *Server) adminCreateMailbox(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	if s.deps.Admin.Mail == nil {
		return apperr.NotFoundf("no mail channel")
	}
	form := formOf(c, "name", "imap_host", "imap_port", "username", "secret", "default_product", "addresses")
	str := func(k string) *string { v := form[k]; return &v }
	in := inbound.MailboxInput{Name: str("name"), IMAPHost: str("imap_host"), Username: str("username"),
		DefaultProduct: str("default_product")}
	if form["secret"] != "" {
		in.Secret = str("secret")
	}
	if form["imap_port"] != "" {
		port, err := strconv.Atoi(form["imap_port"])
		if err != nil {
			return s.showMailboxes(c, fiber.StatusUnprocessableEntity, form, apperr.InvalidField("imap_port", "a port is a number"))
		}
		in.IMAPPort = &port
	}
	in.Addresses = strings.Fields(strings.ReplaceAll(form["addresses"], ",", " "))
	if _, err := s.deps.Admin.Mail.CreateMailbox(c.UserContext(), a, in); err != nil {
		if isUserError(err) {
			form["secret"] = ""
			return s.showMailboxes(c, fiber.StatusUnprocessableEntity, form, err)
		}
		return err
	}
	return c.Redirect("/admin/mailboxes?done=mailbox_created", fiber.StatusSeeOther)
}

// adminMailboxState switches a mailbox's reading on or off.
func (s *Server) adminMailboxState(c *fiber.Ctx) error {
	a, err := admin(c)
	if err != nil {
		return err
	}
	if s.deps.Admin.Mail == nil {
		return apperr.NotFoundf("no mail channel")
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.NotFoundf("mailbox not found")
	}
	active := c.FormValue("active") == "1"
	if _, err := s.deps.Admin.Mail.UpdateMailbox(c.UserContext(), a, id, inbound.MailboxInput{Active: &active}); err != nil {
		return err
	}
	return c.Redirect("/admin/mailboxes?done=mailbox_saved", fiber.StatusSeeOther)
}

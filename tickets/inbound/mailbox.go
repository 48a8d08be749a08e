package inbound

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
)

// TLS modes of an IMAP connection.
const (
	TLSImplicit = "tls"      // TLS from the first byte (port 993)
	TLSStart    = "starttls" // plain, upgraded with STARTTLS
	TLSNone     = "none"     // plain text: only for a server on the same host or a test
)

// After-import actions: what the reader does with a message once it is stored.
const (
	AfterSeen   = "seen"
	AfterMove   = "move"
	AfterDelete = "delete"
)

// Mailbox states.
const (
	StateNew     = "new"     // not read yet
	StateOK      = "ok"      // the last read succeeded
	StateFailing = "failing" // the last read failed; see LastError
)

// Mailbox is a support mailbox. The secret is never part of it: it is stored sealed and only the
// reader opens it.
type Mailbox struct {
	ID             uuid.UUID
	Name           string
	IMAPHost       string // empty: no IMAP reading (mail arrives over LMTP only)
	IMAPPort       int
	TLSMode        string
	Username       string
	HasSecret      bool
	Folder         string
	AfterImport    string
	MoveTo         string
	DefaultProduct string
	// ProductMap maps a recipient address (lower case) to the product its mail is about.
	ProductMap map[string]string
	// Addresses are the support addresses mail to this mailbox is sent to; automatic answers
	// come from the first, and mail from any of them is our own.
	Addresses     []string
	Active        bool
	UIDValidity   uint32
	LastUID       uint32
	State         string
	LastError     string
	LastSuccessAt *time.Time
	FailingSince  *time.Time
	Failures      int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// MailboxInput creates a mailbox or, in a patch, changes the fields given (nil: unchanged).
type MailboxInput struct {
	Name           *string
	IMAPHost       *string
	IMAPPort       *int
	TLSMode        *string
	Username       *string
	Secret         *string
	Folder         *string
	AfterImport    *string
	MoveTo         *string
	DefaultProduct *string
	ProductMap     map[string]string
	Addresses      []string
	Active         *bool
}

func (in MailboxInput) apply(m *Mailbox) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&m.Name, in.Name)
	set(&m.IMAPHost, in.IMAPHost)
	set(&m.TLSMode, in.TLSMode)
	set(&m.Username, in.Username)
	set(&m.Folder, in.Folder)
	set(&m.AfterImport, in.AfterImport)
	set(&m.MoveTo, in.MoveTo)
	set(&m.DefaultProduct, in.DefaultProduct)
	if in.IMAPPort != nil {
		m.IMAPPort = *in.IMAPPort
	}
	if in.Active != nil {
		m.Active = *in.Active
	}
	if in.ProductMap != nil {
		m.ProductMap = map[string]string{}
		for k, v := range in.ProductMap {
			m.ProductMap[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	if in.Addresses != nil {
		m.Addresses = nil
		for _, a := range in.Addresses {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
				m.Addresses = append(m.Addresses, a)
			}
		}
	}
}

func (m Mailbox) validate() error {
	switch {
	case m.Name == "" || len(m.Name) > 200:
		return apperr.InvalidField("name", "name is required (at most 200 characters)")
	case m.DefaultProduct == "" || len(m.DefaultProduct) > 100:
		return apperr.InvalidField("default_product", "default_product is required (at most 100 characters)")
	case m.IMAPPort < 1 || m.IMAPPort > 65535:
		return apperr.InvalidField("imap_port", "imap_port must be 1–65535")
	case m.TLSMode != TLSImplicit && m.TLSMode != TLSStart && m.TLSMode != TLSNone:
		return apperr.InvalidField("tls_mode", "tls_mode must be tls, starttls or none")
	case m.AfterImport != AfterSeen && m.AfterImport != AfterMove && m.AfterImport != AfterDelete:
		return apperr.InvalidField("after_import", "after_import must be seen, move or delete")
	case m.AfterImport == AfterMove && m.MoveTo == "":
		return apperr.InvalidField("move_to", "after_import move needs the folder to move to (move_to)")
	case m.Folder == "":
		return apperr.InvalidField("folder", "folder is required")
	case m.IMAPHost != "" && m.Username == "":
		return apperr.InvalidField("username", "an IMAP mailbox needs a username")
	case strings.ContainsAny(m.IMAPHost, " /@\r\n"):
		return apperr.InvalidField("imap_host", "imap_host is a host name or address")
	case len(m.Addresses) == 0:
		return apperr.InvalidField("addresses", "give at least one support address mail is sent to")
	}
	for _, a := range m.Addresses {
		if strings.Count(a, "@") != 1 || strings.ContainsAny(a, " <>\r\n") {
			return apperr.InvalidField("addresses", "%q is not an e-mail address", a)
		}
	}
	for k, v := range m.ProductMap {
		if strings.Count(k, "@") != 1 || v == "" {
			return apperr.InvalidField("product_map", "product_map maps a recipient address to a product")
		}
	}
	return nil
}

func adminOnly(actor accounts.User) error {
	if actor.Role != accounts.Admin {
		return apperr.New(apperr.Forbidden, "forbidden", "mailboxes are for admins")
	}
	return nil
}

// CreateMailbox adds a mailbox (admin). The secret is sealed with the configured key.
// Errors: forbidden, invalid_value, conflict (name taken).
func (s *Service) CreateMailbox(ctx context.Context, actor accounts.User, in MailboxInput) (Mailbox, error) {
	if err := adminOnly(actor); err != nil {
		return Mailbox{}, err
	}
	now := s.clock.Now().Truncate(time.Microsecond)
	m := Mailbox{ID: uuid.Must(uuid.NewV7()), IMAPPort: 993, TLSMode: TLSImplicit, Folder: "INBOX", AfterImport: AfterSeen,
		ProductMap: map[string]string{}, Active: true, State: StateNew, CreatedAt: now, UpdatedAt: now}
	in.apply(&m)
	if err := m.validate(); err != nil {
		return Mailbox{}, err
	}
	secret := []byte{}
	if in.Secret != nil && *in.Secret != "" {
		secret = s.box.Seal([]byte(*in.Secret), secretContext(m.ID))
	}
	m.HasSecret = len(secret) > 0
	row := toMailboxRow(m)
	row.Secret = secret
	if err := s.store.insertMailbox(ctx, row); err != nil {
		return Mailbox{}, err
	}
	return m, nil
}

// UpdateMailbox changes the fields given (admin). Changing the host, user or folder starts the
// reader afresh (UIDVALIDITY unknown), duplicates being recognised by their dedup key.
// Errors: forbidden, not_found, invalid_value, conflict.
func (s *Service) UpdateMailbox(ctx context.Context, actor accounts.User, id uuid.UUID, in MailboxInput) (Mailbox, error) {
	if err := adminOnly(actor); err != nil {
		return Mailbox{}, err
	}
	m, err := s.store.findMailbox(ctx, id)
	if err != nil {
		return Mailbox{}, err
	}
	before := m
	in.apply(&m)
	if err := m.validate(); err != nil {
		return Mailbox{}, err
	}
	m.UpdatedAt = s.clock.Now().Truncate(time.Microsecond)
	if m.IMAPHost != before.IMAPHost || m.Username != before.Username || m.Folder != before.Folder {
		m.UIDValidity, m.LastUID = 0, 0
	}
	secret := []byte{}
	if in.Secret != nil && *in.Secret != "" {
		secret = s.box.Seal([]byte(*in.Secret), secretContext(m.ID))
	}
	if in.Secret != nil {
		m.HasSecret = len(secret) > 0
	}
	if err := s.store.saveMailbox(ctx, m, secret, in.Secret != nil); err != nil {
		return Mailbox{}, err
	}
	return m, nil
}

// GetMailbox returns a mailbox with its reader's state (admin).
// Errors: forbidden, not_found.
func (s *Service) GetMailbox(ctx context.Context, actor accounts.User, id uuid.UUID) (Mailbox, error) {
	if err := adminOnly(actor); err != nil {
		return Mailbox{}, err
	}
	return s.store.findMailbox(ctx, id)
}

// ListMailboxes returns every mailbox (admin), for the admin page; the API pages (MailboxPage).
// Errors: forbidden.
func (s *Service) ListMailboxes(ctx context.Context, actor accounts.User) ([]Mailbox, error) {
	if err := adminOnly(actor); err != nil {
		return nil, err
	}
	return s.store.findMailboxes(ctx, false)
}

// MailboxPage returns a page of the mailboxes, oldest first, and the next page's cursor (admin).
// Errors: forbidden, invalid_value (limit, cursor).
func (s *Service) MailboxPage(ctx context.Context, actor accounts.User, req page.Request) ([]Mailbox, string, error) {
	if err := adminOnly(actor); err != nil {
		return nil, "", err
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", err
	}
	ms, err := s.store.findMailboxPage(ctx, req)
	if err != nil {
		return nil, "", err
	}
	ms, next := page.Cut(ms, req.Limit, func(m Mailbox) page.Cursor { return page.Cursor{At: m.CreatedAt, ID: m.ID.String()} })
	return ms, next, nil
}

// DeleteMailbox removes a mailbox (admin); the messages it brought stay.
// Errors: forbidden, not_found.
func (s *Service) DeleteMailbox(ctx context.Context, actor accounts.User, id uuid.UUID) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	return s.store.deleteMailbox(ctx, id)
}

func secretContext(id uuid.UUID) []byte { return []byte("mailbox:" + id.String()) }

// Secret opens the mailbox's password, for the reader.
// Errors: secretbox.ErrNoKey, secretbox.ErrOpen, not_found.
func (s *Service) Secret(ctx context.Context, id uuid.UUID) (string, error) {
	stored, err := s.store.findSecret(ctx, id)
	if err != nil {
		return "", err
	}
	plain, err := s.box.Open(stored, secretContext(id))
	return string(plain), err
}

// FindMailbox returns a mailbox for the reader (no caller check).
// Errors: not_found.
func (s *Service) FindMailbox(ctx context.Context, id uuid.UUID) (Mailbox, error) {
	return s.store.findMailbox(ctx, id)
}

// MailboxForAddress returns the mailbox one of whose support addresses is addr (a
// sub-address, support+token@…, counts as its base address).
// Errors: not_found, a storage error.
func (s *Service) MailboxForAddress(ctx context.Context, addr string) (Mailbox, error) {
	addr = strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>"))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return Mailbox{}, apperr.NotFoundf("no mailbox for %q", addr)
	}
	local, _, _ = strings.Cut(local, "+")
	return s.store.findMailboxByAddress(ctx, local+"@"+domain)
}

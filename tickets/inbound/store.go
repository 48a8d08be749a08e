package inbound

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// Store reads and writes the mail channel's tables: mailboxes, inbound_messages,
// incident_attachments, mail_addresses and mail_auto_replies. The Service decides; the store
// only keeps rows.
type Store struct{ db *gorm.DB }

// NewStore returns the store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

type mailboxRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	Name           string
	IMAPHost       string `gorm:"column:imap_host"`
	IMAPPort       int    `gorm:"column:imap_port"`
	TLSMode        string
	Username       string
	Secret         []byte
	Folder         string
	AfterImport    string
	MoveTo         string
	DefaultProduct string
	ProductMap     map[string]string `gorm:"serializer:json"`
	Addresses      []string          `gorm:"serializer:json"`
	Active         bool
	UIDValidity    int64 `gorm:"column:uid_validity"`
	LastUID        int64 `gorm:"column:last_uid"`
	State          string
	LastError      string
	LastSuccessAt  *time.Time
	FailingSince   *time.Time
	Failures       int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (mailboxRow) TableName() string { return "mailboxes" }

func toMailboxRow(m Mailbox) mailboxRow {
	if m.ProductMap == nil {
		m.ProductMap = map[string]string{}
	}
	if m.Addresses == nil {
		m.Addresses = []string{}
	}
	return mailboxRow{ID: m.ID, Name: m.Name, IMAPHost: m.IMAPHost, IMAPPort: m.IMAPPort, TLSMode: m.TLSMode,
		Username: m.Username, Folder: m.Folder, AfterImport: m.AfterImport, MoveTo: m.MoveTo,
		DefaultProduct: m.DefaultProduct, ProductMap: m.ProductMap, Addresses: m.Addresses, Active: m.Active,
		UIDValidity: int64(m.UIDValidity), LastUID: int64(m.LastUID), State: m.State, LastError: m.LastError,
		LastSuccessAt: m.LastSuccessAt, FailingSince: m.FailingSince, Failures: m.Failures,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func (r mailboxRow) toMailbox() Mailbox {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	return Mailbox{ID: r.ID, Name: r.Name, IMAPHost: r.IMAPHost, IMAPPort: r.IMAPPort, TLSMode: r.TLSMode,
		Username: r.Username, HasSecret: len(r.Secret) > 0, Folder: r.Folder, AfterImport: r.AfterImport, MoveTo: r.MoveTo,
		DefaultProduct: r.DefaultProduct, ProductMap: r.ProductMap, Addresses: r.Addresses, Active: r.Active,
		UIDValidity: uint32(r.UIDValidity), LastUID: uint32(r.LastUID), State: r.State, LastError: r.LastError,
		LastSuccessAt: utc(r.LastSuccessAt), FailingSince: utc(r.FailingSince), Failures: r.Failures,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (s *Store) findMailbox(ctx context.Context, id uuid.UUID) (Mailbox, error) {
	var r mailboxRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return Mailbox{}, dbx.Translate(err, "mailbox")
	}
	return r.toMailbox(), nil
}

// insertMailbox stores a new mailbox. Errors: conflict (its name is taken).
func (s *Store) insertMailbox(ctx context.Context, row mailboxRow) error {
	return dbx.Translate(s.db.WithContext(ctx).Create(&row).Error, "mailbox")
}

// findMailboxByAddress returns the oldest active mailbox with the support address addr.
// Errors: not_found.
func (s *Store) findMailboxByAddress(ctx context.Context, addr string) (Mailbox, error) {
	var r mailboxRow
	err := s.db.WithContext(ctx).Where("active AND addresses @> ?::jsonb", `["`+strings.ReplaceAll(addr, `"`, ``)+`"]`).
		Order("created_at").Take(&r).Error
	if err != nil {
		return Mailbox{}, dbx.Translate(err, "mailbox")
	}
	return r.toMailbox(), nil
}

func (s *Store) findMailboxes(ctx context.Context, activeIMAP bool) ([]Mailbox, error) {
	q := s.db.WithContext(ctx).Order("created_at, id")
	if activeIMAP {
		q = q.Where("active AND imap_host <> ''")
	}
	var rows []mailboxRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "mailboxes")
	}
	out := make([]Mailbox, len(rows))
	for i, r := range rows {
		out[i] = r.toMailbox()
	}
	return out, nil
}

// IMAPMailboxes returns the active mailboxes with IMAP settings, for the reader.
// Errors: a storage error.
func (s *Service) IMAPMailboxes(ctx context.Context) ([]Mailbox, error) {
	return s.store.findMailboxes(ctx, true)
}

func (s *Store) saveMailbox(ctx context.Context, m Mailbox, secret []byte, withSecret bool) error {
	r := toMailboxRow(m)
	cols := []string{"name", "imap_host", "imap_port", "tls_mode", "username", "folder", "after_import", "move_to",
		"default_product", "product_map", "addresses", "active", "uid_validity", "last_uid", "updated_at"}
	if withSecret {
		r.Secret = secret
		cols = append(cols, "secret")
	}
	res := s.db.WithContext(ctx).Model(&mailboxRow{}).Where("id = ?", m.ID).Select(cols).Updates(&r)
	if res.Error != nil {
		return dbx.Translate(res.Error, "mailbox")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("mailbox not found")
	}
	return nil
}

func (s *Store) deleteMailbox(ctx context.Context, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&mailboxRow{}, "id = ?", id)
	if res.Error != nil {
		return dbx.Translate(res.Error, "mailbox")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("mailbox not found")
	}
	return nil
}

func (s *Store) findSecret(ctx context.Context, id uuid.UUID) ([]byte, error) {
	var r mailboxRow
	if err := s.db.WithContext(ctx).Select("secret").Take(&r, "id = ?", id).Error; err != nil {
		return nil, dbx.Translate(err, "mailbox")
	}
	return r.Secret, nil
}

// SetPosition records the highest UID stored under a UIDVALIDITY: the reader resumes after it.
// Errors: a storage error.
func (s *Service) SetPosition(ctx context.Context, id uuid.UUID, validity, uid uint32) error {
	return s.store.setPosition(ctx, id, validity, uid)
}

func (s *Store) setPosition(ctx context.Context, id uuid.UUID, validity, uid uint32) error {
	return dbx.Translate(s.db.WithContext(ctx).Exec(`UPDATE mailboxes SET uid_validity = ?, last_uid = ? WHERE id = ?`,
		int64(validity), int64(uid), id).Error, "mailbox")
}

// ReadSucceeded records a good read: the failure streak (if any) ends.
// Errors: a storage error.
func (s *Service) ReadSucceeded(ctx context.Context, id uuid.UUID) error {
	return s.store.readSucceeded(ctx, id, s.clock.Now())
}

func (s *Store) readSucceeded(ctx context.Context, id uuid.UUID, now time.Time) error {
	return dbx.Translate(s.db.WithContext(ctx).Exec(`UPDATE mailboxes SET state = 'ok', failures = 0, failing_since = NULL,
		last_success_at = ? WHERE id = ?`, now, id).Error, "mailbox")
}

// markFailing records a failed read at now and, in the same transaction, hands the mailbox as
// it now is to then (the failure streak's length is its Failures).
func (s *Store) markFailing(ctx context.Context, id uuid.UUID, cause string, now time.Time, then func(tx dbx.Tx, m Mailbox) error) error {
	return dbx.InTx(ctx, s.db, now, func(tx dbx.Tx) error {
		var r mailboxRow
		if err := tx.Gorm().Raw(`UPDATE mailboxes SET state = 'failing', failures = failures + 1, last_error = ?,
			failing_since = coalesce(failing_since, ?) WHERE id = ? RETURNING *`, cause, now, id).Scan(&r).Error; err != nil {
			return dbx.Translate(err, "mailbox")
		}
		if r.ID == uuid.Nil {
			return nil
		}
		return then(tx, r.toMailbox())
	})
}

package inbound

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

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

func (s *Service) findMailbox(ctx context.Context, id uuid.UUID) (Mailbox, error) {
	var r mailboxRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return Mailbox{}, dbx.Translate(err, "mailbox")
	}
	return r.toMailbox(), nil
}

func (s *Service) findMailboxes(ctx context.Context, activeIMAP bool) ([]Mailbox, error) {
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
	return s.findMailboxes(ctx, true)
}

func (s *Service) saveMailbox(ctx context.Context, m Mailbox, secret []byte, withSecret bool) error {
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

func (s *Service) deleteMailbox(ctx context.Context, id uuid.UUID) error {
	res := s.db.WithContext(ctx).Delete(&mailboxRow{}, "id = ?", id)
	if res.Error != nil {
		return dbx.Translate(res.Error, "mailbox")
	}
	if res.RowsAffected == 0 {
		return apperr.NotFoundf("mailbox not found")
	}
	return nil
}

func (s *Service) findSecret(ctx context.Context, id uuid.UUID) ([]byte, error) {
	var r mailboxRow
	if err := s.db.WithContext(ctx).Select("secret").Take(&r, "id = ?", id).Error; err != nil {
		return nil, dbx.Translate(err, "mailbox")
	}
	return r.Secret, nil
}

// SetPosition records the highest UID stored under a UIDVALIDITY: the reader resumes after it.
// Errors: a storage error.
func (s *Service) SetPosition(ctx context.Context, id uuid.UUID, validity, uid uint32) error {
	return dbx.Translate(s.db.WithContext(ctx).Exec(`UPDATE mailboxes SET uid_validity = ?, last_uid = ? WHERE id = ?`,
		int64(validity), int64(uid), id).Error, "mailbox")
}

// ReadSucceeded records a good read: the failure streak (if any) ends.
// Errors: a storage error.
func (s *Service) ReadSucceeded(ctx context.Context, id uuid.UUID) error {
	now := s.clock.Now()
	return dbx.Translate(s.db.WithContext(ctx).Exec(`UPDATE mailboxes SET state = 'ok', failures = 0, failing_since = NULL,
		last_success_at = ? WHERE id = ?`, now, id).Error, "mailbox")
}

// ReadFailed records a failed read. The first failure of a streak tells the admins (in-app,
// e-mail, webhook through the notifier), once: the note's key names the streak.
// Errors: a storage error.
func (s *Service) ReadFailed(ctx context.Context, id uuid.UUID, cause error) error {
	now := s.clock.Now().Truncate(time.Microsecond)
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r mailboxRow
		if err := tx.Raw(`UPDATE mailboxes SET state = 'failing', failures = failures + 1, last_error = ?,
			failing_since = coalesce(failing_since, ?) WHERE id = ? RETURNING *`, msg, now, id).Scan(&r).Error; err != nil {
			return err
		}
		if r.ID == uuid.Nil || r.Failures != 1 || s.notifier == nil || s.users == nil {
			return nil
		}
		admins, err := s.users.FindStaff(ctx, "", "admin")
		if err != nil || len(admins) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(admins))
		for i, a := range admins {
			ids[i] = a.ID
		}
		_, err = s.notifier.Notify(ctx, dbx.NewTx(tx, now), mailboxNote(r.toMailbox(), ids, msg))
		return err
	})
}

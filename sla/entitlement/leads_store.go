package entitlement

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
)

type leadRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	OrganizationID uuid.UUID
	UserID         uuid.UUID
	EntitlementID  *uuid.UUID
	Product        string
	Code           string
	Message        string
	Details        map[string]any `gorm:"serializer:json"`
	RequestBody    []byte
	CreatedAt      time.Time
}

func (leadRow) TableName() string { return "intake_rejections" }

// RecordLead stores a refused intake. The request body is stored as the exact bytes the
// customer sent (bytea), whatever they are; the text columns, which PostgreSQL keeps as UTF-8
// without NUL, get a cleaned copy.
// Errors: a storage error.
func (s *Store) RecordLead(ctx context.Context, l Lead, raw []byte) error {
	if raw == nil {
		raw = []byte{}
	}
	row := leadRow{ID: uuid.Must(uuid.NewV7()), OrganizationID: l.OrganizationID, UserID: l.UserID,
		EntitlementID: l.EntitlementID, Product: cleanText(l.Product), Code: l.Code, Message: cleanText(l.Message), Details: l.Details,
		RequestBody: raw, CreatedAt: l.CreatedAt}
	if row.Details == nil {
		row.Details = map[string]any{}
	}
	return dbx.Translate(s.db.WithContext(ctx).Create(&row).Error, "intake rejection")
}

// cleanText makes s storable in a text column: NULs dropped, invalid UTF-8 replaced.
func cleanText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// KeepMailLead stores a mail lead with the refused intakes, once per message and code.
// Errors: a storage error.
func (s *Store) KeepMailLead(ctx context.Context, l MailLead) error {
	body, _ := json.Marshal(string(l.Raw))
	sender, _ := json.Marshal(l.SenderEmail)
	return dbx.Translate(s.db.WithContext(ctx).Exec(`INSERT INTO intake_rejections
		(id, organization_id, user_id, product, code, message, details, request_body, created_at, sender_email, inbound_message_id)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM intake_rejections WHERE inbound_message_id = ? AND code = ?)`,
		uuid.Must(uuid.NewV7()), l.OrganizationID, l.UserID, l.Product, l.Code, l.Message,
		`{"channel":"email","sender_email":`+string(sender)+`}`, body, l.At, l.SenderEmail, l.InboundMessageID,
		l.InboundMessageID, l.Code).Error, "intake rejection")
}

// findLeads reads one page of leads (one more than the limit, for page.Cut), newest first.
func (s *Store) findLeads(ctx context.Context, f LeadFilter, req page.Request) ([]Lead, error) {
	q := s.db.WithContext(ctx).Model(&leadRow{})
	if f.OrganizationID != nil {
		q = q.Where("organization_id = ?", *f.OrganizationID)
	}
	if f.Code != "" {
		q = q.Where("code = ?", f.Code)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.NewestFirst)
	if err != nil {
		return nil, err
	}
	var rows []leadRow
	if err := q.Order("created_at DESC, id DESC").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "intake rejections")
	}
	out := make([]Lead, len(rows))
	for i, r := range rows {
		out[i] = Lead{ID: r.ID, OrganizationID: r.OrganizationID, UserID: r.UserID, EntitlementID: r.EntitlementID,
			Product: r.Product, Code: r.Code, Message: r.Message, Details: r.Details, RequestBody: r.RequestBody, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

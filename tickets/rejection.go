package tickets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
)

// Rejection is a refused intake, kept as a renewal lead with everything the customer typed.
type Rejection struct {
	ID             uuid.UUID
	OrganizationID uuid.UUID
	UserID         uuid.UUID
	EntitlementID  *uuid.UUID
	Product        string
	Code           string
	Message        string
	Details        map[string]any
	RequestBody    []byte // exactly the bytes sent; the HTTP layer decides how to show them
	CreatedAt      time.Time
}

type rejectionRow struct {
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

func (rejectionRow) TableName() string { return "intake_rejections" }

// refusal reports whether err is an entitlement refusal that intake must keep: a 403 from the
// entitlement check, or a malformed contract identifier.
func refusal(err error) (*apperr.Error, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return nil, false
	}
	switch {
	case ae.Kind == apperr.Forbidden:
		return ae, true
	case ae.Kind == apperr.Invalid && (ae.Code == "invalid_activation_code" || ae.Code == "invalid_registration_key"):
		return ae, true
	}
	return nil, false
}

// recordRejection stores the refused attempt. The request body is stored as the exact bytes the
// customer sent (bytea), whatever they are; the text columns, which PostgreSQL keeps as UTF-8
// without NUL, get a cleaned copy.
func (s *Store) recordRejection(ctx context.Context, r Rejection, raw []byte) error {
	if raw == nil {
		raw = []byte{}
	}
	row := rejectionRow{ID: uuid.Must(uuid.NewV7()), OrganizationID: r.OrganizationID, UserID: r.UserID,
		EntitlementID: r.EntitlementID, Product: cleanText(r.Product), Code: r.Code, Message: cleanText(r.Message), Details: r.Details,
		RequestBody: raw, CreatedAt: r.CreatedAt}
	if row.Details == nil {
		row.Details = map[string]any{}
	}
	return dbx.Translate(s.db.WithContext(ctx).Create(&row).Error, "intake rejection")
}

// cleanText makes s storable in a text column: NULs dropped, invalid UTF-8 replaced.
func cleanText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// KeepUnreadableIntake keeps an intake the HTTP layer refused because its text could not be
// stored (NUL characters, invalid UTF-8): the customer was refused, but what they typed is kept
// with the refused intakes, as every refused intake is. raw is the body exactly as sent. Staff
// intake names its organisation in the body; when it cannot be read the attempt is only logged.
func (s *Service) KeepUnreadableIntake(ctx context.Context, actor accounts.User, raw []byte, refusal *apperr.Error) {
	var probe struct {
		OrganizationID *uuid.UUID `json:"organization_id"`
		Product        string     `json:"product"`
	}
	_ = json.Unmarshal(bytes.ReplaceAll(raw, []byte{0}, []byte(`\u0000`)), &probe)
	org := probe.OrganizationID
	if actor.Role.Customer() {
		org = actor.OrganizationID
	}
	if org == nil {
		s.log.Warn("refused intake not kept: no organisation", "user_id", actor.ID, "code", refusal.Code)
		return
	}
	if !actor.Role.Customer() && !actor.Role.Staff() {
		return
	}
	r := Rejection{OrganizationID: *org, UserID: actor.ID, Product: probe.Product, Code: refusal.Code,
		Message: refusal.Message, Details: map[string]any{"field": refusal.Field}, CreatedAt: s.clock.Now().Truncate(time.Microsecond)}
	if err := s.store.recordRejection(ctx, r, raw); err != nil {
		s.log.Error("could not keep refused intake", "organization_id", *org, "code", refusal.Code, "error", err)
	}
}

// RejectionFilter selects rejections for staff.
type RejectionFilter struct {
	OrganizationID *uuid.UUID
	Code           string
	Since          *time.Time
	Page           page.Request
}

// Rejections lists refused intakes, newest first, a page at a time (see internal/page), with
// the next page's cursor (empty on the last page). Staff only: they are renewal leads.
// Errors: forbidden, invalid_value (cursor, limit).
func (s *Service) Rejections(ctx context.Context, actor accounts.User, f RejectionFilter) ([]Rejection, string, error) {
	if !actor.Role.Staff() {
		return nil, "", apperr.New(apperr.Forbidden, "forbidden", "intake rejections are for staff")
	}
	req, err := f.Page.Checked()
	if err != nil {
		return nil, "", err
	}
	q := s.store.db.WithContext(ctx).Model(&rejectionRow{})
	if f.OrganizationID != nil {
		q = q.Where("organization_id = ?", *f.OrganizationID)
	}
	if f.Code != "" {
		q = q.Where("code = ?", f.Code)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	q, err = dbx.AfterCursor(q, req.Cursor, "created_at", dbx.NewestFirst)
	if err != nil {
		return nil, "", err
	}
	var rows []rejectionRow
	if err := q.Order("created_at DESC, id DESC").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", dbx.Translate(err, "intake rejections")
	}
	out := make([]Rejection, len(rows))
	for i, r := range rows {
		out[i] = Rejection{ID: r.ID, OrganizationID: r.OrganizationID, UserID: r.UserID, EntitlementID: r.EntitlementID,
			Product: r.Product, Code: r.Code, Message: r.Message, Details: r.Details, RequestBody: r.RequestBody, CreatedAt: r.CreatedAt.UTC()}
	}
	out, next := page.Cut(out, req.Limit, func(r Rejection) page.Cursor { return page.Cursor{At: r.CreatedAt, ID: r.ID.String()} })
	return out, next, nil
}

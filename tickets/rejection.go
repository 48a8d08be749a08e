package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
)

// Rejection is a refused intake, kept as a renewal lead with everything the customer typed.
type Rejection struct {
	ID             uuid.UUID       `json:"id"`
	OrganizationID uuid.UUID       `json:"organization_id"`
	UserID         uuid.UUID       `json:"user_id"`
	EntitlementID  *uuid.UUID      `json:"entitlement_id"`
	Product        string          `json:"product"`
	Code           string          `json:"code"`
	Message        string          `json:"message"`
	Details        map[string]any  `json:"details"`
	RequestBody    json.RawMessage `json:"request_body"`
	CreatedAt      time.Time       `json:"created_at"`
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

// recordRejection stores the refused attempt. The request body is stored as the customer sent it;
// a body that is not JSON (it cannot reach here, but a non-HTTP caller might) is re-encoded.
func (s *Store) recordRejection(ctx context.Context, r Rejection, raw []byte) error {
	if !json.Valid(raw) {
		raw, _ = json.Marshal(string(raw))
	}
	row := rejectionRow{ID: uuid.Must(uuid.NewV7()), OrganizationID: r.OrganizationID, UserID: r.UserID,
		EntitlementID: r.EntitlementID, Product: r.Product, Code: r.Code, Message: r.Message, Details: r.Details,
		RequestBody: raw, CreatedAt: r.CreatedAt}
	if row.Details == nil {
		row.Details = map[string]any{}
	}
	return dbx.Translate(s.db.WithContext(ctx).Create(&row).Error, "intake rejection")
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
	if req.Cursor != nil {
		id, err := req.Cursor.UUID()
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(created_at, id) < (?, ?)", req.Cursor.At, id)
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

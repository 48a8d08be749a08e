package tickets

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Credit is one entry of an organisation's SLA-credit ledger.
type Credit struct {
	ID              uuid.UUID  `json:"id"`
	OrganizationID  uuid.UUID  `json:"organization_id"`
	IncidentID      uuid.UUID  `json:"incident_id"`
	Reference       string     `json:"reference"`
	EntitlementID   uuid.UUID  `json:"entitlement_id"`
	Target          string     `json:"target"`
	Severity        int        `json:"severity"`
	DueAt           time.Time  `json:"due_at"`
	MetAt           *time.Time `json:"met_at"`
	LatenessSeconds *float64   `json:"lateness_seconds"`
	Amount          float64    `json:"amount"`
	CreatedAt       time.Time  `json:"created_at"`
}

type creditRow struct {
	ID              uuid.UUID `gorm:"primaryKey"`
	OrganizationID  uuid.UUID
	IncidentID      uuid.UUID
	EntitlementID   uuid.UUID
	Target          string
	Severity        int
	DueAt           time.Time
	MetAt           *time.Time
	LatenessSeconds *float64
	Amount          float64
	CreatedAt       time.Time
}

func (creditRow) TableName() string { return "sla_credits" }

// creditFor adds the ledger entry for a missed first response, inside the breach's transaction:
// premium and platinum incidents whose contract has a rate for the severity. The unique
// (incident, target) key makes a second delivery of the same breach add nothing.
func creditFor(ctx context.Context, tx *gorm.DB, inc Incident, target sla.Target, due, now time.Time) error {
	if target != sla.FirstResponse || inc.EntitlementID == nil || (inc.Tier != string(sla.Premium) && inc.Tier != string(sla.Platinum)) {
		return nil
	}
	var raw []string
	if err := tx.WithContext(ctx).Raw("SELECT credit_rates::text FROM entitlements WHERE id = ?", *inc.EntitlementID).Scan(&raw).Error; err != nil || len(raw) == 0 {
		return err
	}
	rates := map[string]float64{}
	if err := json.Unmarshal([]byte(raw[0]), &rates); err != nil {
		return err
	}
	amount, ok := rates[strconv.Itoa(inc.Severity)]
	if !ok || amount <= 0 {
		return nil
	}
	r := creditRow{ID: uuid.Must(uuid.NewV7()), OrganizationID: inc.OrganizationID, IncidentID: inc.ID, EntitlementID: *inc.EntitlementID,
		Target: string(target), Severity: inc.Severity, DueAt: due, Amount: amount, CreatedAt: now}
	return tx.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error
}

// settleCredit records when a missed first response was finally given, so the entry shows the
// actual time and the lateness.
func settleCredit(ctx context.Context, tx *gorm.DB, incID uuid.UUID, now time.Time) error {
	return tx.WithContext(ctx).Exec(`UPDATE sla_credits SET met_at = ?, lateness_seconds = extract(epoch FROM ?::timestamptz - due_at)
		WHERE incident_id = ? AND target = 'first_response' AND met_at IS NULL`, now, now, incID).Error
}

// Credits returns a page of an organisation's SLA-credit entries whose deadline falls in
// [from, to), in deadline order (see internal/page), the next page's cursor (empty on the last
// page) and the total amount of the whole period. Staff read any organisation's ledger; org
// admins their own; members none.
// Errors: forbidden, not_found, invalid_value (to, cursor, limit).
func (s *Service) Credits(ctx context.Context, actor accounts.User, orgID uuid.UUID, from, to time.Time, req page.Request) ([]Credit, string, float64, error) {
	if actor.Role.Customer() {
		if actor.Role != accounts.OrgAdmin {
			return nil, "", 0, apperr.New(apperr.Forbidden, "forbidden", "the credit ledger is for organisation admins")
		}
		if !actor.InOrganization(orgID) {
			return nil, "", 0, apperr.NotFoundf("organization not found")
		}
	}
	if !to.After(from) {
		return nil, "", 0, apperr.InvalidField("to", "to must be after from")
	}
	req, err := req.Checked()
	if err != nil {
		return nil, "", 0, err
	}
	q := `SELECT c.*, i.reference FROM sla_credits c JOIN incidents i ON i.id = c.incident_id
		WHERE c.organization_id = ? AND c.due_at >= ? AND c.due_at < ?`
	args := []any{orgID, from, to}
	if req.Cursor != nil {
		id, err := req.Cursor.UUID()
		if err != nil {
			return nil, "", 0, err
		}
		q += ` AND (c.due_at, c.id) > (?, ?)`
		args = append(args, req.Cursor.At, id)
	}
	var out []Credit
	if err := s.store.db.WithContext(ctx).Raw(q+` ORDER BY c.due_at, c.id LIMIT ?`, append(args, req.Limit+1)...).Scan(&out).Error; err != nil {
		return nil, "", 0, translate(err, "credits")
	}
	var total float64
	if err := s.store.db.WithContext(ctx).Raw(`SELECT coalesce(sum(amount), 0) FROM sla_credits WHERE organization_id = ? AND due_at >= ? AND due_at < ?`,
		orgID, from, to).Scan(&total).Error; err != nil {
		return nil, "", 0, translate(err, "credits")
	}
	if out == nil {
		out = []Credit{}
	}
	out, next := page.Cut(out, req.Limit, func(c Credit) page.Cursor { return page.Cursor{At: c.DueAt, ID: c.ID.String()} })
	return out, next, total, nil
}

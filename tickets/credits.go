package tickets

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla"
	"gorm.io/gorm"
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

// creditsFor adds the ledger entries of a batch's missed first responses in one statement,
// inside the batch's transaction: premium and platinum incidents whose contract has a rate for
// the severity (read from the contract in the same statement). The unique (incident, target) key
// makes a second delivery of the same breach add nothing.
func creditsFor(ctx context.Context, tx dbx.Tx, breaches []Breach) error {
	var args []any
	n := 0
	for _, br := range breaches {
		inc := br.Incident
		if br.Target != sla.FirstResponse || inc.EntitlementID == nil || (inc.Tier != string(sla.Premium) && inc.Tier != string(sla.Platinum)) {
			continue
		}
		args = append(args, uuid.Must(uuid.NewV7()), inc.OrganizationID, inc.ID, *inc.EntitlementID, strconv.Itoa(inc.Severity), br.DueAt)
		n++
	}
	if n == 0 {
		return nil
	}
	return tx.Gorm().WithContext(ctx).Exec(`INSERT INTO sla_credits (id, organization_id, incident_id, entitlement_id, target, severity, due_at, amount, created_at)
		SELECT v.id, v.org, v.inc, v.ent, 'first_response', v.sev::int, v.due, (e.credit_rates->>v.sev)::float8, ?::timestamptz
		FROM (VALUES `+dbx.Values(n, "(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::timestamptz)")+`) AS v (id, org, inc, ent, sev, due)
		JOIN entitlements e ON e.id = v.ent
		WHERE (e.credit_rates->>v.sev)::float8 > 0
		ON CONFLICT (incident_id, target) DO NOTHING`, append([]any{tx.Now()}, args...)...).Error
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

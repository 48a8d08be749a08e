package entitlement

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
)

// Ledger is the SLA-credit ledger (table sla_credits): it lives next to the contracts whose
// credit_rates price each entry. Writes join the caller's transaction (dbx.Tx), so an entry
// exists exactly when the breach it credits does.
type Ledger struct {
	db *gorm.DB
}

// NewLedger returns the ledger on db.
func NewLedger(db *gorm.DB) *Ledger { return &Ledger{db: db} }

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

func (r creditRow) toCredit() Credit {
	return Credit{ID: r.ID, OrganizationID: r.OrganizationID, IncidentID: r.IncidentID, EntitlementID: r.EntitlementID,
		Target: r.Target, Severity: r.Severity, DueAt: r.DueAt, MetAt: r.MetAt, LatenessSeconds: r.LatenessSeconds,
		Amount: r.Amount, CreatedAt: r.CreatedAt}
}

// AddMissed adds the entries of missed first responses in one statement, inside tx and at its
// now: each at its contract's rate for the severity (read in the same statement), none where
// the contract has no positive rate. The unique (incident, target) key makes a second report of
// the same miss add nothing. Errors: storage errors, after which tx must be rolled back.
func (l *Ledger) AddMissed(ctx context.Context, tx dbx.Tx, misses []Miss) error {
	if len(misses) == 0 {
		return nil
	}
	args := make([]any, 0, 1+6*len(misses))
	args = append(args, tx.Now())
	for _, m := range misses {
		args = append(args, uuid.Must(uuid.NewV7()), m.OrganizationID, m.IncidentID, m.EntitlementID, strconv.Itoa(m.Severity), m.DueAt)
	}
	return tx.Gorm().WithContext(ctx).Exec(`INSERT INTO sla_credits (id, organization_id, incident_id, entitlement_id, target, severity, due_at, amount, created_at)
		SELECT v.id, v.org, v.inc, v.ent, 'first_response', v.sev::int, v.due, (e.credit_rates->>v.sev)::float8, ?::timestamptz
		FROM (VALUES `+dbx.Values(len(misses), "(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::timestamptz)")+`) AS v (id, org, inc, ent, sev, due)
		JOIN entitlements e ON e.id = v.ent
		WHERE (e.credit_rates->>v.sev)::float8 > 0
		ON CONFLICT (incident_id, target) DO NOTHING`, args...).Error
}

// Settle records, at tx's now, when the incident's missed first response was finally given, so
// its entry shows the actual time and the lateness. Errors: storage errors.
func (l *Ledger) Settle(ctx context.Context, tx dbx.Tx, incidentID uuid.UUID) error {
	now := tx.Now()
	return tx.Gorm().WithContext(ctx).Exec(`UPDATE sla_credits SET met_at = ?, lateness_seconds = extract(epoch FROM ?::timestamptz - due_at)
		WHERE incident_id = ? AND target = 'first_response' AND met_at IS NULL`, now, now, incidentID).Error
}

// Entries returns a page of the organisation's entries whose deadline falls in [from, to), in
// deadline order (see internal/page), the next page's cursor (empty on the last page) and the
// total amount of the whole period. req must be checked (page.Request.Checked).
// Errors: invalid_value (cursor), storage errors.
func (l *Ledger) Entries(ctx context.Context, orgID uuid.UUID, from, to time.Time, req page.Request) ([]Credit, string, float64, error) {
	q := l.db.WithContext(ctx).Where("organization_id = ? AND due_at >= ? AND due_at < ?", orgID, from, to)
	if req.Cursor != nil {
		id, err := req.Cursor.UUID()
		if err != nil {
			return nil, "", 0, err
		}
		q = q.Where("(due_at, id) > (?, ?)", req.Cursor.At, id)
	}
	var rows []creditRow
	if err := q.Order("due_at, id").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", 0, dbx.Translate(err, "credits")
	}
	var total float64
	if err := l.db.WithContext(ctx).Raw(`SELECT coalesce(sum(amount), 0) FROM sla_credits WHERE organization_id = ? AND due_at >= ? AND due_at < ?`,
		orgID, from, to).Scan(&total).Error; err != nil {
		return nil, "", 0, dbx.Translate(err, "credits")
	}
	out := make([]Credit, len(rows))
	for i, r := range rows {
		out[i] = r.toCredit()
	}
	out, next := page.Cut(out, req.Limit, func(c Credit) page.Cursor { return page.Cursor{At: c.DueAt, ID: c.ID.String()} })
	return out, next, total, nil
}

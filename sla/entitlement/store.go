package entitlement

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

type row struct {
	ID                uuid.UUID `gorm:"primaryKey"`
	OrganizationID    uuid.UUID
	Product           string
	Tier              string
	LicenseType       string
	Maintenance       bool
	StartsAt          time.Time
	EndsAt            time.Time
	Seats             int
	SerialNumber      string
	SerialAliases     []string `gorm:"serializer:json"`
	ActivationCode    string
	RegistrationKey   string
	RenewalID         string
	GraceDays         int
	GraceIntake       string
	RenewalWindowDays int
	ReinstatementFee  bool
	CreditRates       map[int]float64 `gorm:"serializer:json"`
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (row) TableName() string { return "entitlements" }

func toRow(e Entitlement) row {
	aliases := e.SerialAliases
	if aliases == nil {
		aliases = []string{}
	}
	rates := e.CreditRates
	if rates == nil {
		rates = map[int]float64{}
	}
	return row{ID: e.ID, OrganizationID: e.OrganizationID, Product: e.Product, Tier: e.Tier,
		LicenseType: string(e.LicenseType), Maintenance: e.Maintenance, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		Seats: e.Seats, SerialNumber: e.SerialNumber, SerialAliases: aliases, ActivationCode: e.ActivationCode,
		RegistrationKey: e.RegistrationKey, RenewalID: e.RenewalID, GraceDays: e.Grace.Days,
		GraceIntake: string(e.Grace.Intake), RenewalWindowDays: e.RenewalWindowDays,
		ReinstatementFee: e.ReinstatementFee, CreditRates: rates}
}

func (r row) toEntitlement(ext []Extension) Entitlement {
	return Entitlement{ID: r.ID, OrganizationID: r.OrganizationID, Product: r.Product, Tier: r.Tier,
		LicenseType: LicenseType(r.LicenseType), Maintenance: r.Maintenance, StartsAt: r.StartsAt.UTC(),
		EndsAt: r.EndsAt.UTC(), Seats: r.Seats, SerialNumber: r.SerialNumber, SerialAliases: r.SerialAliases,
		ActivationCode: r.ActivationCode, RegistrationKey: r.RegistrationKey, RenewalID: r.RenewalID,
		Grace: GracePolicy{Days: r.GraceDays, Intake: GraceIntake(r.GraceIntake)}, RenewalWindowDays: r.RenewalWindowDays,
		ReinstatementFee: r.ReinstatementFee, CreditRates: r.CreditRates, Extensions: ext}
}

type extensionRow struct {
	ID            uuid.UUID `gorm:"primaryKey"`
	EntitlementID uuid.UUID
	Until         time.Time
	Reason        string
	GrantedBy     uuid.UUID
	GrantedAt     time.Time
}

func (extensionRow) TableName() string { return "entitlement_extensions" }

type renewalRow struct {
	ID             uuid.UUID `gorm:"primaryKey"`
	EntitlementID  uuid.UUID
	PreviousStarts time.Time
	PreviousEnds   time.Time
	StartsAt       time.Time
	EndsAt         time.Time
	PreviousSerial string
	SerialNumber   string
	RenewedBy      uuid.UUID
	RenewedAt      time.Time
}

func (renewalRow) TableName() string { return "entitlement_renewals" }

// Store keeps entitlements, their extensions and renewals in PostgreSQL.
type Store struct {
	db *gorm.DB
}

// NewStore returns a store on db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Create inserts a validated entitlement; ID and timestamps are set here.
func (s *Store) Create(ctx context.Context, e Entitlement, now time.Time) (Entitlement, error) {
	e.ID = uuid.Must(uuid.NewV7())
	r := toRow(e)
	r.CreatedAt, r.UpdatedAt = now, now
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		return Entitlement{}, dbx.Translate(err, "entitlement")
	}
	return r.toEntitlement(nil), nil
}

// FindByID returns the entitlement with its extensions, or not_found.
func (s *Store) FindByID(ctx context.Context, id uuid.UUID) (Entitlement, error) {
	return findByID(ctx, s.db, id, false)
}

func findByID(ctx context.Context, db *gorm.DB, id uuid.UUID, lock bool) (Entitlement, error) {
	q := db.WithContext(ctx)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var r row
	if err := q.Take(&r, "id = ?", id).Error; err != nil {
		return Entitlement{}, dbx.Translate(err, "entitlement")
	}
	ext, err := extensions(ctx, db, []uuid.UUID{id})
	if err != nil {
		return Entitlement{}, err
	}
	return r.toEntitlement(ext[id]), nil
}

// FindByOrganization returns every entitlement of an organisation, oldest start first, with its
// extensions, in one read: intake asks it on every incident.
func (s *Store) FindByOrganization(ctx context.Context, orgID uuid.UUID) ([]Entitlement, error) {
	var rows []struct {
		Entitlement row `gorm:"embedded"`
		Extensions  []byte
	}
	err := s.db.WithContext(ctx).Raw(`SELECT e.*, coalesce((SELECT jsonb_agg(jsonb_build_object('until', x.until,
			'reason', x.reason, 'granted_by', x.granted_by, 'granted_at', x.granted_at) ORDER BY x.granted_at, x.id)
		FROM entitlement_extensions x WHERE x.entitlement_id = e.id), '[]') AS extensions
		FROM entitlements e WHERE e.organization_id = ? ORDER BY e.starts_at, e.id`, orgID).Scan(&rows).Error
	if err != nil {
		return nil, dbx.Translate(err, "entitlements")
	}
	out := make([]Entitlement, len(rows))
	for i, r := range rows {
		var ext []struct {
			Until     time.Time `json:"until"`
			Reason    string    `json:"reason"`
			GrantedBy uuid.UUID `json:"granted_by"`
			GrantedAt time.Time `json:"granted_at"`
		}
		if err := json.Unmarshal(r.Extensions, &ext); err != nil {
			return nil, err
		}
		var exts []Extension
		for _, x := range ext {
			exts = append(exts, Extension{Until: x.Until.UTC(), Reason: x.Reason, GrantedBy: x.GrantedBy, GrantedAt: x.GrantedAt.UTC()})
		}
		out[i] = r.Entitlement.toEntitlement(exts)
	}
	return out, nil
}

// FindPageByOrganization returns up to req.Limit+1 of an organisation's entitlements after
// req.Cursor, in FindByOrganization's order (start, then ID).
func (s *Store) FindPageByOrganization(ctx context.Context, orgID uuid.UUID, req page.Request) ([]Entitlement, error) {
	q := s.db.WithContext(ctx).Where("organization_id = ?", orgID)
	if req.Cursor != nil {
		id, err := req.Cursor.UUID()
		if err != nil {
			return nil, err
		}
		q = q.Where("(starts_at, id) > (?, ?)", req.Cursor.At, id)
	}
	var rows []row
	if err := q.Order("starts_at, id").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "entitlements")
	}
	return s.withExtensions(ctx, rows)
}

// findReminderCandidates returns the entitlements one of whose milestones (EndsAt minus 90, 60,
// 30 or 0 days, or the grace end) falls in [from, to], with the milestones already sent for their
// current period (EndsAt). The reminder job asks it every minute on every worker: it reads the few
// contracts with a milestone near now, never every contract, and DueMilestones decides exactly.
func (s *Store) findReminderCandidates(ctx context.Context, from, to time.Time) ([]Entitlement, map[uuid.UUID]map[Milestone]bool, error) {
	var conds []string
	var args []any
	for _, n := range daysBefore {
		conds = append(conds, "(e.ends_at >= ? AND e.ends_at <= ?)")
		args = append(args, from.Add(days(n)), to.Add(days(n)))
	}
	conds = append(conds, "(e.grace_days > 0 AND e.ends_at + e.grace_days * interval '24 hours' BETWEEN ? AND ?)")
	args = append(args, from, to)
	var rows []struct {
		Entitlement row `gorm:"embedded"`
		Sent        []byte
	}
	err := s.db.WithContext(ctx).Raw(`SELECT e.*, (SELECT coalesce(jsonb_agg(r.milestone), '[]') FROM renewal_reminders r
			WHERE r.entitlement_id = e.id AND r.period_ends = e.ends_at) AS sent
		FROM entitlements e WHERE `+strings.Join(conds, " OR ")+` ORDER BY e.ends_at, e.id`, args...).Scan(&rows).Error
	if err != nil {
		return nil, nil, dbx.Translate(err, "entitlements")
	}
	plain := make([]row, len(rows))
	sent := make(map[uuid.UUID]map[Milestone]bool, len(rows))
	for i, r := range rows {
		plain[i] = r.Entitlement
		var ms []Milestone
		if err := json.Unmarshal(r.Sent, &ms); err != nil {
			return nil, nil, err
		}
		sent[r.Entitlement.ID] = map[Milestone]bool{}
		for _, m := range ms {
			sent[r.Entitlement.ID][m] = true
		}
	}
	ents, err := s.withExtensions(ctx, plain)
	return ents, sent, err
}

func (s *Store) withExtensions(ctx context.Context, rows []row) ([]Entitlement, error) {
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	ext, err := extensions(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Entitlement, len(rows))
	for i, r := range rows {
		out[i] = r.toEntitlement(ext[r.ID])
	}
	return out, nil
}

func extensions(ctx context.Context, db *gorm.DB, ids []uuid.UUID) (map[uuid.UUID][]Extension, error) {
	out := map[uuid.UUID][]Extension{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []extensionRow
	if err := db.WithContext(ctx).Where("entitlement_id IN ?", ids).Order("granted_at, id").Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "extensions")
	}
	for _, r := range rows {
		out[r.EntitlementID] = append(out[r.EntitlementID], Extension{Until: r.Until.UTC(), Reason: r.Reason, GrantedBy: r.GrantedBy, GrantedAt: r.GrantedAt.UTC()})
	}
	return out, nil
}

// Update locks the entitlement, applies change and saves the result, in one transaction, so two
// managers renewing at once cannot lose one renewal. change returns the new entitlement, and for
// a renewal the record to keep.
func (s *Store) update(ctx context.Context, id uuid.UUID, now time.Time, change func(Entitlement) (Entitlement, *renewalRow, *extensionRow, error)) (Entitlement, error) {
	var out Entitlement
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := findByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		next, ren, ext, err := change(cur)
		if err != nil {
			return err
		}
		r := toRow(next)
		r.UpdatedAt = now
		if err := tx.Model(&row{}).Where("id = ?", id).Select("starts_at", "ends_at", "serial_number", "serial_aliases",
			"maintenance", "activation_code", "registration_key", "renewal_id", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		if ren != nil {
			ren.ID = uuid.Must(uuid.NewV7())
			if err := tx.Create(ren).Error; err != nil {
				return err
			}
		}
		if ext != nil {
			ext.ID = uuid.Must(uuid.NewV7())
			if err := tx.Create(ext).Error; err != nil {
				return err
			}
		}
		out, err = findByID(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return Entitlement{}, dbx.Translate(err, "entitlement")
	}
	return out, nil
}

// updateOrganization locks every contract of an organisation (in id order, so concurrent callers
// cannot deadlock), lets change compute the new contracts and their renewal records from all of
// them, and saves both in one transaction. It returns every contract as saved.
func (s *Store) updateOrganization(ctx context.Context, orgID uuid.UUID, now time.Time, change func([]Entitlement) ([]Entitlement, []renewalRow, error)) ([]Entitlement, error) {
	var out []Entitlement
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []row
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("organization_id = ?", orgID).Order("id").Find(&rows).Error; err != nil {
			return err
		}
		cur, err := (&Store{db: tx}).withExtensions(ctx, rows)
		if err != nil {
			return err
		}
		next, rens, err := change(cur)
		if err != nil {
			return err
		}
		for _, e := range next {
			r := toRow(e)
			r.UpdatedAt = now
			if err := tx.Model(&row{}).Where("id = ?", e.ID).Select("starts_at", "ends_at", "maintenance", "updated_at").Updates(&r).Error; err != nil {
				return err
			}
		}
		for i := range rens {
			rens[i].ID = uuid.Must(uuid.NewV7())
		}
		if len(rens) > 0 {
			if err := tx.Create(&rens).Error; err != nil {
				return err
			}
		}
		out, err = (&Store{db: tx}).FindByOrganization(ctx, orgID)
		return err
	})
	if err != nil {
		return nil, dbx.Translate(err, "entitlement")
	}
	return out, nil
}

type reminderRow struct {
	EntitlementID uuid.UUID `gorm:"primaryKey"`
	Milestone     string    `gorm:"primaryKey"`
	PeriodEnds    time.Time `gorm:"primaryKey"`
	DueAt         time.Time
	SentAt        time.Time
	Recipients    int
}

func (reminderRow) TableName() string { return "renewal_reminders" }

// claimReminder inserts the reminder's row and, when this run claimed it (no earlier or concurrent
// run did), runs tell in the same transaction at the row's SentAt, so the reminder and its
// notifications exist together or not at all. It reports whether it claimed.
// Errors: storage errors (translated), or tell's.
func (s *Store) claimReminder(ctx context.Context, row reminderRow, tell func(dbx.Tx) error) (bool, error) {
	claimed := false
	err := dbx.InTx(ctx, s.db, row.SentAt, func(tx dbx.Tx) error {
		res := tx.Gorm().Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // already sent by an earlier or concurrent run
		}
		claimed = true
		return tell(tx)
	})
	if err != nil {
		return false, dbx.Translate(err, "renewal reminder")
	}
	return claimed, nil
}

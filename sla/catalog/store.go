package catalog

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/sla"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store reads and writes the versions of policies and calendars (sla_policies, sla_calendars).
// Rows are only ever added: a version, once stored, never changes. The Catalog caches what it
// reads here; nothing else needs the store.
type Store struct{ db *gorm.DB }

// NewStore returns the store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

type policyRow struct {
	Tier      string `gorm:"primaryKey"`
	Version   int    `gorm:"primaryKey"`
	Cells     []Cell `gorm:"serializer:json"`
	CreatedBy *uuid.UUID
	CreatedAt time.Time
}

func (policyRow) TableName() string { return "sla_policies" }

type calendarRow struct {
	Name      string   `gorm:"primaryKey"`
	Version   int      `gorm:"primaryKey"`
	Spec      Calendar `gorm:"serializer:json"`
	CreatedBy *uuid.UUID
	CreatedAt time.Time
}

func (calendarRow) TableName() string { return "sla_calendars" }

// insertDefaults stores the given first versions where their tier or calendar has none, in one
// transaction; concurrent callers insert once.
func (s *Store) insertDefaults(ctx context.Context, cals []calendarRow, pols []policyRow) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range cals {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&cals[i]).Error; err != nil {
				return err
			}
		}
		for i := range pols {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&pols[i]).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return dbx.Translate(err, "default policies")
}

// currentVersions returns the newest version of each tier's policy and of each calendar.
func (s *Store) currentVersions(ctx context.Context) (map[sla.Tier]int, map[string]int, error) {
	var pv []struct {
		Tier    string
		Version int
	}
	if err := s.db.WithContext(ctx).Raw("SELECT tier, max(version) AS version FROM sla_policies GROUP BY tier").Scan(&pv).Error; err != nil {
		return nil, nil, dbx.Translate(err, "policies")
	}
	policies := make(map[sla.Tier]int, len(pv))
	for _, r := range pv {
		policies[sla.Tier(r.Tier)] = r.Version
	}
	var cv []struct {
		Name    string
		Version int
	}
	if err := s.db.WithContext(ctx).Raw("SELECT name, max(version) AS version FROM sla_calendars GROUP BY name").Scan(&cv).Error; err != nil {
		return nil, nil, dbx.Translate(err, "calendars")
	}
	calendars := make(map[string]int, len(cv))
	for _, r := range cv {
		calendars[r.Name] = r.Version
	}
	return policies, calendars, nil
}

// findCalendar returns one version of a calendar. Errors: not_found.
func (s *Store) findCalendar(ctx context.Context, name string, version int) (calendarRow, error) {
	var r calendarRow
	if err := s.db.WithContext(ctx).Take(&r, "name = ? AND version = ?", name, version).Error; err != nil {
		return calendarRow{}, dbx.Translate(err, "calendar")
	}
	return r, nil
}

// findPolicy returns one version of a tier's policy. Errors: not_found.
func (s *Store) findPolicy(ctx context.Context, tier sla.Tier, version int) (policyRow, error) {
	var r policyRow
	if err := s.db.WithContext(ctx).Take(&r, "tier = ? AND version = ?", string(tier), version).Error; err != nil {
		return policyRow{}, dbx.Translate(err, "policy version")
	}
	return r, nil
}

// insertPolicy stores a new policy version.
// Errors: conflict (that version was stored concurrently).
func (s *Store) insertPolicy(ctx context.Context, r policyRow) error {
	if err := s.db.WithContext(ctx).Create(&r).Error; err != nil {
		if _, dup := dbx.UniqueViolation(err); dup {
			return apperr.New(apperr.Conflict, "conflict", "the policy was changed concurrently; read it again and retry")
		}
		return dbx.Translate(err, "policy")
	}
	return nil
}

// insertCalendar stores the next version of r.Name (its first if none) and returns the version.
// Errors: conflict (a version stored concurrently).
func (s *Store) insertCalendar(ctx context.Context, r calendarRow) (int, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Raw("SELECT coalesce(max(version), 0) + 1 FROM sla_calendars WHERE name = ?", r.Name).Scan(&r.Version).Error; err != nil {
			return err
		}
		return tx.Create(&r).Error
	})
	if err != nil {
		if _, dup := dbx.UniqueViolation(err); dup {
			return 0, apperr.New(apperr.Conflict, "conflict", "the calendar was changed concurrently; retry")
		}
		return 0, dbx.Translate(err, "calendar")
	}
	return r.Version, nil
}

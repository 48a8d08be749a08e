package tickets

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"gorm.io/gorm"
)

// newIncident is everything one intake writes, decided before its transaction opens: the
// incident with its nearest deadline, its first timeline entries (opened, and the plan when it
// has timers), its timers and, with a key, the idempotency record.
type newIncident struct {
	inc    Incident
	events []Event
	timers []timerRow
	userID uuid.UUID
	key    string
	hash   []byte
}

// createdRow is an incident row as intake inserts it: with the nearest deadline the queue orders
// by, so that no UPDATE follows the INSERT.
type createdRow struct {
	Incident   incidentRow `gorm:"embedded"`
	NextDueAt  *time.Time
	NextTarget *string
}

func (createdRow) TableName() string { return "incidents" }

// create stores a new incident in one transaction of as few statements as the rules allow: the
// reference number, the incident, its events in one INSERT, its timers in one, then's writes
// (the notifications of an intake) and the idempotency record. Either all exist or none does.
func (s *Store) create(ctx context.Context, in newIncident, then func(tx dbx.Tx, inc Incident, stored []Event) error) (Incident, error) {
	inc := in.inc
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var seq int64
		if err := tx.Raw("SELECT nextval('incident_reference_seq')").Scan(&seq).Error; err != nil {
			return err
		}
		inc.Reference = formatReference(inc.AcceptedAt, seq)
		row := createdRow{Incident: toIncidentRow(inc)}
		row.NextDueAt, row.NextTarget = nextDeadline(in.timers)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		evs := make([]eventRow, len(in.events))
		for i, e := range in.events {
			e.IncidentID = inc.ID
			r, err := toEventRow(e)
			if err != nil {
				return err
			}
			evs[i] = r
		}
		// One INSERT: ids are drawn in row order, so "opened" stays first on the timeline.
		if err := tx.Create(&evs).Error; err != nil {
			return err
		}
		if len(in.timers) > 0 {
			if err := tx.Create(&in.timers).Error; err != nil {
				return err
			}
		}
		if then != nil {
			stored := make([]Event, len(in.events))
			for i, e := range in.events {
				e.ID, e.IncidentID = evs[i].ID, inc.ID
				stored[i] = e
			}
			if err := then(dbx.NewTx(tx, inc.CreatedAt), inc, stored); err != nil {
				return err
			}
		}
		if in.key == "" {
			return nil
		}
		idem := idempotencyRow{UserID: in.userID, Key: in.key, RequestHash: in.hash, IncidentID: inc.ID, CreatedAt: inc.CreatedAt}
		if err := tx.Create(&idem).Error; err != nil {
			if _, ok := dbx.UniqueViolation(err); ok {
				return errKeyRace
			}
			return err
		}
		return nil
	})
	if errors.Is(err, errKeyRace) {
		return Incident{}, errKeyRace
	}
	if err != nil {
		return Incident{}, dbx.Translate(err, "incident")
	}
	return inc, nil
}

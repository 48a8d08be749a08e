package tickets

import (
	"context"

	"github.com/google/uuid"
)

// participant reports whether the user opened the incident or replied in it as a customer.
func (s *Store) participant(ctx context.Context, id, userID uuid.UUID) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Raw(`SELECT
		(SELECT count(*) FROM incidents WHERE id = ? AND opened_by = ?) +
		(SELECT count(*) FROM incident_events WHERE incident_id = ? AND actor_id = ? AND kind = 'customer_reply')`,
		id, userID, id, userID).Scan(&n).Error
	return n > 0, err
}

// incidentIDByReference returns the id of the incident with reference ref (upper case).
func (s *Store) incidentIDByReference(ctx context.Context, ref string) (uuid.UUID, error) {
	var r incidentRow
	if err := s.db.WithContext(ctx).Select("id").Take(&r, "reference = ?", ref).Error; err != nil {
		return uuid.Nil, err
	}
	return r.ID, nil
}

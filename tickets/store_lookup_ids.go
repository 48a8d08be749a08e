package tickets

import (
	"context"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
)

// FindIncidentsByID returns the incidents with the given IDs, by ID, in one statement; missing
// ones are absent. It does not scope by caller: the asker does (escalation lists a manager's
// escalations with their incidents' reference and title this way).
func (s *Store) FindIncidentsByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]Incident, error) {
	out := make(map[uuid.UUID]Incident, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []incidentRow
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "incidents")
	}
	for _, r := range rows {
		out[r.ID] = r.toIncident()
	}
	return out, nil
}

package tickets

import (
	"context"

	"github.com/supportd/supportd/internal/dbx"
)

// FindIncidentByReference returns the incident with the (upper-case) reference, or not_found. It
// does not scope by caller: the service does.
func (s *Store) FindIncidentByReference(ctx context.Context, ref string) (Incident, error) {
	var r incidentRow
	if err := s.db.WithContext(ctx).Take(&r, "reference = ?", ref).Error; err != nil {
		return Incident{}, dbx.Translate(err, "incident")
	}
	return r.toIncident(), nil
}

package tickets

import (
	"context"
	"strings"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
)

// GetByReference returns the incident with that reference (case-insensitive, e.g.
// "inc-2026-000042") if the caller may see it; one the caller may not see is not_found, exactly
// as a missing one.
// Errors: not_found.
func (s *Service) GetByReference(ctx context.Context, actor accounts.User, ref string) (Incident, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	if ref == "" || len(ref) > 40 {
		return Incident{}, apperr.NotFoundf("incident not found")
	}
	inc, err := s.store.FindIncidentByReference(ctx, ref)
	if err != nil {
		return Incident{}, err
	}
	return s.Get(ctx, actor, inc.ID)
}

package tickets

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// RefreshNextDeadline is for tests that write timers in SQL: it writes the incident's nearest
// pending deadline by the engine's one rule (nextDeadline), as the engine's writers of timers do.
func RefreshNextDeadline(ctx context.Context, db *gorm.DB, incID uuid.UUID) error {
	var rows []timerRow
	if err := db.WithContext(ctx).Where("incident_id = ? AND state = 'pending'", incID).Find(&rows).Error; err != nil {
		return err
	}
	due, target := nextDeadline(rows)
	return db.WithContext(ctx).Exec("UPDATE incidents SET next_due_at = ?, next_target = ? WHERE id = ?", due, target, incID).Error
}

// Visible is visible, for the table test of who sees which incident.
var Visible = visible

package replay

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/catalog"
)

// CSV returns a finished replay as CSV: part "" or "rows" gives one line per tier and severity
// (recorded and replayed counts side by side), part "changes" one line per changed target of
// the listed incidents (both due times and outcomes). Errors: forbidden, not_found,
// invalid_value (part), conflict code replay_not_done while it runs or after it failed.
func (s *Service) CSV(ctx context.Context, actor accounts.User, id uuid.UUID, part string) ([]byte, error) {
	if part != "" && part != "rows" && part != "changes" {
		return nil, apperr.InvalidField("part", "part must be rows or changes")
	}
	rep, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if rep.State != "done" || rep.Result == nil {
		return nil, apperr.New(apperr.Conflict, "replay_not_done", "the replay is %s; CSV is there once it is done", rep.State)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	itoa := strconv.Itoa
	if part == "changes" {
		_ = w.Write([]string{"incident_id", "reference", "tier", "severity", "accepted_at", "policy_version", "target",
			"recorded_outcome", "recorded_due_at", "replayed_outcome", "replayed_due_at", "recorded_update_breaches", "replayed_update_breaches"})
		for _, c := range rep.Result.Changes {
			for _, t := range c.Targets {
				rec := []string{c.IncidentID.String(), c.Reference, c.Tier, itoa(c.Severity), c.AcceptedAt.Format(time.RFC3339), itoa(c.PolicyVersion),
					t.Target, t.RecordedOutcome, due(t.Recorded), t.ReplayedOutcome, due(t.Replayed), intp(t.UpdateBreachesBefore), intp(t.UpdateBreachesReplayed)}
				_ = w.Write(rec)
			}
		}
	} else {
		_ = w.Write([]string{"tier", "severity", "incidents", "changed",
			"recorded_first_response_met", "replayed_first_response_met", "recorded_first_response_breached", "replayed_first_response_breached",
			"recorded_update_cadence_breaches", "replayed_update_cadence_breaches", "recorded_escalations_level_1", "replayed_escalations_level_1",
			"recorded_escalations_level_2", "replayed_escalations_level_2"})
		for _, r := range rep.Result.Rows {
			a, b := r.Recorded, r.Replayed
			_ = w.Write([]string{r.Tier, itoa(r.Severity), itoa(r.Incidents), itoa(r.Changed),
				itoa(a.FirstResponseMet), itoa(b.FirstResponseMet), itoa(a.FirstResponseBreached), itoa(b.FirstResponseBreached),
				itoa(a.UpdateBreaches), itoa(b.UpdateBreaches), itoa(a.EscalatedLevel1), itoa(b.EscalatedLevel1),
				itoa(a.EscalatedLevel2), itoa(b.EscalatedLevel2)})
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// due is a target's due time, or "" when it has none (no timer, paused or cancelled).
func due(t *catalog.Target) string {
	if t == nil || t.DueAt == nil {
		return ""
	}
	return t.DueAt.Format(time.RFC3339)
}

func intp(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

package report

import (
	"context"
	"time"

	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
)

// Service answers the reports. It only reads.
type Service struct{ store *Store }

// New returns the reports read from st.
func New(st *Store) *Service { return &Service{store: st} }

// Row is one tier and severity of the SLA report.
type Row struct {
	Tier                   string   `json:"tier"`
	Severity               int      `json:"severity"`
	Incidents              int      `json:"incidents"`
	FirstResponseMet       int      `json:"first_response_met"`
	FirstResponseBreached  int      `json:"first_response_breached"`
	FirstResponseMedianSec *float64 `json:"first_response_median_seconds"`
	FirstResponseP90Sec    *float64 `json:"first_response_p90_seconds"`
	UpdateCadenceBreaches  int      `json:"update_cadence_breaches"`
	// EscalationsLevel1 and EscalationsLevel2 count the incidents whose level was reached and its
	// recipients told (support managers, executives): by deadline or by request. A level 1 passed
	// over because level 2 was reached first is counted apart, as higher_level: no support
	// manager received it.
	EscalationsLevel1            int `json:"escalations_level_1"`
	EscalationsLevel2            int `json:"escalations_level_2"`
	EscalationsLevel1Deadline    int `json:"escalations_level_1_deadline"`
	EscalationsLevel1Request     int `json:"escalations_level_1_request"`
	EscalationsLevel1HigherLevel int `json:"escalations_level_1_higher_level"`
	EscalationsLevel2Deadline    int `json:"escalations_level_2_deadline"`
	EscalationsLevel2Request     int `json:"escalations_level_2_request"`
}

// AssignRow is the mean time from intake to an assigned engineer for one tier group and channel,
// next to the seed's internal handoff target (reported, not timed per incident).
type AssignRow struct {
	TierGroup     string   `json:"tier_group"` // standard, or premium_platinum
	Channel       string   `json:"channel"`
	Assigned      int      `json:"assigned"`
	MeanSeconds   *float64 `json:"mean_seconds"`
	TargetSeconds float64  `json:"target_seconds"`
	WithinTarget  *bool    `json:"within_target"`
}

// SLA is the SLA report: GET /v1/reports/sla and the managers' report page.
type SLA struct {
	From     time.Time   `json:"from"`
	To       time.Time   `json:"to"`
	Rows     []Row       `json:"rows"`
	Handoffs []AssignRow `json:"time_to_assign"`
}

// handoffTargets are seed 003's internal targets for the time from intake to an assigned engineer.
var handoffTargets = map[string]map[string]float64{
	"standard":         {"phone": 3 * 60, "web": 4 * 3600, "email": 4 * 3600, "api": 4 * 3600},
	"premium_platinum": {"phone": 2 * 60, "web": 3600, "email": 3600, "api": 3600},
}

// SLA aggregates incidents accepted in [from, to): per tier and severity the first
// responses met and breached, median and p90 time to first response, update-cadence breaches and
// escalations per level and cause (deadline, request, higher_level); and mean time to assign per channel against the handoff targets. Staff
// only.
// Errors: forbidden, invalid_value (to).
func (r *Service) SLA(ctx context.Context, actor accounts.User, from, to time.Time) (SLA, error) {
	if !actor.Role.Staff() {
		return SLA{}, apperr.New(apperr.Forbidden, "forbidden", "reports are for staff")
	}
	if !to.After(from) {
		return SLA{}, apperr.InvalidField("to", "to must be after from")
	}
	rep := SLA{From: from, To: to, Rows: []Row{}, Handoffs: []AssignRow{}}
	rows, err := r.store.slaRows(ctx, from, to)
	if err != nil {
		return SLA{}, dbx.Translate(err, "report")
	}
	rep.Rows = append(rep.Rows, rows...)
	handoffs, err := r.store.handoffs(ctx, from, to)
	if err != nil {
		return SLA{}, dbx.Translate(err, "report")
	}
	for _, h := range handoffs {
		row := AssignRow{TierGroup: h.TierGroup, Channel: h.Channel, Assigned: h.Assigned, MeanSeconds: h.MeanSeconds,
			TargetSeconds: handoffTargets[h.TierGroup][h.Channel]}
		if h.MeanSeconds != nil {
			ok := *h.MeanSeconds <= row.TargetSeconds
			row.WithinTarget = &ok
		}
		rep.Handoffs = append(rep.Handoffs, row)
	}
	return rep, nil
}

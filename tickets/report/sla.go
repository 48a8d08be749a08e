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
	Tier                   string
	Severity               int
	Incidents              int
	FirstResponseMet       int
	FirstResponseBreached  int
	FirstResponseMedianSec *float64
	FirstResponseP90Sec    *float64
	UpdateCadenceBreaches  int
	// EscalationsLevel1 and EscalationsLevel2 count the incidents whose level was reached and its
	// recipients told (support managers, executives): by deadline or by request. A level 1 passed
	// over because level 2 was reached first is counted apart, as higher_level: no support
	// manager received it.
	EscalationsLevel1            int
	EscalationsLevel2            int
	EscalationsLevel1Deadline    int
	EscalationsLevel1Request     int
	EscalationsLevel1HigherLevel int
	EscalationsLevel2Deadline    int
	EscalationsLevel2Request     int
}

// AssignRow is the mean time from intake to an assigned engineer for one tier group and channel,
// next to the seed's internal handoff target (reported, not timed per incident).
type AssignRow struct {
	TierGroup     string // standard, or premium_platinum
	Channel       string
	Assigned      int
	MeanSeconds   *float64
	TargetSeconds float64
	WithinTarget  *bool
}

// SLA is the SLA report: GET /v1/reports/sla and the managers' report page.
type SLA struct {
	From     time.Time
	To       time.Time
	Rows     []Row
	Handoffs []AssignRow
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

package tickets

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/sla"
)

// HistoryFilter selects incidents by the instant they were accepted, [From, To), and optionally
// by tier, current severity, organisation and product.
type HistoryFilter struct {
	From, To       time.Time
	Tier           string
	Severity       int
	OrganizationID *uuid.UUID
	Product        string
}

// History is an incident as recorded, ready to be planned again: Input holds its acceptance,
// tier, severity at acceptance and the events that move deadlines, in timeline order.
type History struct {
	ID            uuid.UUID
	Reference     string
	Tier          string
	Severity      int // the current severity
	PolicyVersion int
	Input         sla.Incident
}

// The timeline entries the planner reads (PlanInput), as the two indexes of migration 00026
// split them: valuedKinds carry a value in data ("opened" the severity at acceptance), and
// timingKinds matter by kind and time alone.
const (
	valuedKinds = `'opened', 'severity_changed', 'escalated', 'remediation_agreed', 'scope_changed'`
	timingKinds = `'acknowledged', 'public_update', 'wait_started', 'wait_ended', 'resolved', 'reopened'`
)

// timingRow is one row of the timing stream, read one ahead.
type timingRow struct {
	inc  [16]byte
	id   int64
	kind string
	at   time.Time
	ok   bool
}

// where is f as the condition of a statement over incidents i, with pgx's $n placeholders.
func (f HistoryFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	add("i.accepted_at >= ?", f.From)
	add("i.accepted_at < ?", f.To)
	if f.Tier != "" {
		add("i.tier = ?", f.Tier)
	}
	if f.Severity != 0 {
		add("i.severity = ?", f.Severity)
	}
	if f.OrganizationID != nil {
		add("i.organization_id = ?", *f.OrganizationID)
	}
	if f.Product != "" {
		add("lower(i.product) = lower(?)", strings.TrimSpace(f.Product))
	}
	return strings.Join(conds, " AND "), args
}

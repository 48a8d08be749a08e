package catalog

import (
	"context"
	"encoding/json"

	"github.com/supportd/supportd/sla"
)

// DraftPolicy resolves the policy a preview or a replay plans a tier with: raw is empty or null
// (the current policy), a version number, or {"cells": [...]} merged onto the current policy as
// PUT /v1/policies/{tier} would (draft is then true). Errors: invalid_value naming "policy".
func (c *Catalog) DraftPolicy(ctx context.Context, tier sla.Tier, raw json.RawMessage) (p sla.Policy, draft bool, err error) {
	return c.previewPolicy(ctx, tier, raw)
}

// DraftCalendar makes every business-clock cell of p run on the calendar raw names or describes
// (a calendar object, compiled under the name "preview" and added to a copy of cals). Empty or
// null raw leaves both unchanged. Errors: invalid_value naming "calendar".
func (c *Catalog) DraftCalendar(ctx context.Context, p sla.Policy, cals sla.Calendars, raw json.RawMessage) (sla.Policy, sla.Calendars, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return p, cals, nil
	}
	return c.previewCalendar(ctx, p, cals, raw)
}

package api

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/entitlement"
)

type gracePolicyRequest struct {
	Days   int    `json:"days"`
	Intake string `json:"intake" enum:"accept|reject"`
}

type entitlementRequest struct {
	Product           string             `json:"product" required:"true"`
	Tier              string             `json:"tier" enum:"standard|premium|platinum" required:"true"`
	LicenseType       string             `json:"license_type" enum:"subscription|perpetual"`
	Maintenance       *bool              `json:"maintenance"`
	StartsAt          time.Time          `json:"starts_at" required:"true"`
	EndsAt            time.Time          `json:"ends_at" required:"true"`
	Seats             int                `json:"seats"`
	SerialNumber      string             `json:"serial_number"`
	ActivationCode    string             `json:"activation_code"`
	RegistrationKey   string             `json:"registration_key"`
	RenewalID         string             `json:"renewal_id"`
	GracePolicy       gracePolicyRequest `json:"grace_policy"`
	RenewalWindowDays int                `json:"renewal_window_days"`
	ReinstatementFee  bool               `json:"reinstatement_fee"`
	CreditRates       map[string]float64 `json:"credit_rates"`
}

func (r entitlementRequest) toEntitlement() (entitlement.Entitlement, error) {
	e := entitlement.Entitlement{Product: r.Product, Tier: r.Tier, LicenseType: entitlement.LicenseType(r.LicenseType),
		StartsAt: r.StartsAt, EndsAt: r.EndsAt, Seats: r.Seats, SerialNumber: r.SerialNumber,
		ActivationCode: r.ActivationCode, RegistrationKey: r.RegistrationKey, RenewalID: r.RenewalID,
		Grace:             entitlement.GracePolicy{Days: r.GracePolicy.Days, Intake: entitlement.GraceIntake(r.GracePolicy.Intake)},
		RenewalWindowDays: r.RenewalWindowDays, ReinstatementFee: r.ReinstatementFee}
	if e.LicenseType == "" {
		e.LicenseType = entitlement.Subscription
	}
	// A subscription includes support; a perpetual licence has it only with a maintenance contract,
	// which is what an entitlement record usually is, so maintenance defaults to true.
	e.Maintenance = r.Maintenance == nil || *r.Maintenance
	if len(r.CreditRates) > 0 {
		e.CreditRates = map[int]float64{}
		for k, v := range r.CreditRates {
			sev, err := strconv.Atoi(k)
			if err != nil {
				return e, apperr.InvalidField("credit_rates", "credit_rates keys are severities 1–4")
			}
			e.CreditRates[sev] = v
		}
	}
	return e, nil
}

func (s *Server) createEntitlement(c *fiber.Ctx) error {
	org, err := pathID(c)
	if err != nil {
		return err
	}
	var req entitlementRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := req.toEntitlement()
	if err != nil {
		return err
	}
	v, err := s.deps.Entitlements.Create(c.UserContext(), caller(c), org, e)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toEntitlementWire(v))
}

func (s *Server) listEntitlements(c *fiber.Ctx) error {
	org, err := pathID(c)
	if err != nil {
		return err
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	vs, next, err := s.deps.Entitlements.ReportPage(c.UserContext(), caller(c), org, req)
	if err != nil {
		return err
	}
	return c.JSON(entitlementReport{Items: toEntitlementWires(vs), Next: next, OrganizationID: org})
}

type renewalRequest struct {
	StartsAt     time.Time `json:"starts_at" required:"true"`
	EndsAt       time.Time `json:"ends_at" required:"true"`
	SerialNumber string    `json:"serial_number"`
}

func (s *Server) renewEntitlement(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req renewalRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Entitlements.Renew(c.UserContext(), caller(c), id, req.StartsAt, req.EndsAt, req.SerialNumber)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toEntitlementWire(v))
}

type extensionRequest struct {
	Until  time.Time `json:"until" required:"true"`
	Reason string    `json:"reason" required:"true"`
}

func (s *Server) extendEntitlement(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req extensionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Entitlements.Extend(c.UserContext(), caller(c), id, req.Until, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toEntitlementWire(v))
}

func (s *Server) listRejections(c *fiber.Ctx) error {
	f := entitlement.LeadFilter{Code: c.Query("code")}
	if v := c.Query("organization_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return apperr.InvalidField("organization_id", "organization_id must be a UUID")
		}
		f.OrganizationID = &id
	}
	if v := c.Query("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return apperr.InvalidField("since", "since must be an RFC 3339 time")
		}
		f.Since = &t
	}
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	f.Page = req
	rs, next, err := s.deps.Entitlements.Leads(c.UserContext(), caller(c), f)
	if err != nil {
		return err
	}
	items := make([]rejectionReply, len(rs)) // [] when there are none, never null
	for i, r := range rs {
		items[i] = toRejectionReply(r)
	}
	return c.JSON(listPage[rejectionReply]{Items: items, Next: next})
}

func toRejectionReply(r entitlement.Lead) rejectionReply {
	out := rejectionReply{ID: r.ID, OrganizationID: r.OrganizationID, UserID: r.UserID, EntitlementID: r.EntitlementID,
		Product: r.Product, Code: r.Code, Message: r.Message, Details: r.Details, CreatedAt: r.CreatedAt,
		RequestBodyBase64: base64.StdEncoding.EncodeToString(r.RequestBody)}
	if json.Valid(r.RequestBody) && utf8.Valid(r.RequestBody) {
		out.RequestBody = json.RawMessage(r.RequestBody)
	} else {
		out.RequestBody = strings.ToValidUTF8(string(r.RequestBody), "\uFFFD")
	}
	return out
}

type coTermRequest struct {
	EntitlementIDs []uuid.UUID `json:"entitlement_ids" required:"true"`
	EndsAt         time.Time   `json:"ends_at" required:"true"`
}

// coTermPeriodReply is what co-terming made of one contract: the period it now runs.
type coTermPeriodReply struct {
	EntitlementID    uuid.UUID `json:"entitlement_id"`
	Product          string    `json:"product"`
	PreviousStartsAt time.Time `json:"previous_starts_at"`
	PreviousEndsAt   time.Time `json:"previous_ends_at"`
	StartsAt         time.Time `json:"starts_at"`
	EndsAt           time.Time `json:"ends_at"`
	Days             int       `json:"days"`
	ShorterThanYear  bool      `json:"shorter_than_year"`
	Unchanged        bool      `json:"unchanged"`
}

func (s *Server) coTermEntitlements(c *fiber.Ctx) error {
	org, err := pathID(c)
	if err != nil {
		return err
	}
	var req coTermRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rs, err := s.deps.Entitlements.CoTerm(c.UserContext(), caller(c), org, req.EntitlementIDs, req.EndsAt)
	if err != nil {
		return err
	}
	periods := make([]coTermPeriodReply, len(rs))
	items := make([]entitlementWire, len(rs))
	for i, r := range rs {
		p := r.Period
		periods[i] = coTermPeriodReply{EntitlementID: p.Entitlement.ID, Product: p.Entitlement.Product,
			PreviousStartsAt: p.PreviousStartsAt, PreviousEndsAt: p.PreviousEndsAt, StartsAt: p.StartsAt, EndsAt: p.EndsAt,
			Days: int(p.EndsAt.Sub(p.StartsAt).Round(time.Hour) / (24 * time.Hour)), ShorterThanYear: p.ShorterThanYear, Unchanged: p.Unchanged}
		items[i] = toEntitlementWire(r.View)
	}
	return c.JSON(coTermWire{OrganizationID: org, EndsAt: req.EndsAt.Truncate(time.Microsecond), Periods: periods, Items: items})
}

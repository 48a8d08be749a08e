package api

import (
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/escalation"
	"github.com/supportd/supportd/tickets"
	"github.com/supportd/supportd/tickets/report"
)

// escalationWire is an escalation addressed to the caller.
type escalationWire struct {
	ID             uuid.UUID  `json:"id"`
	IncidentID     uuid.UUID  `json:"incident_id"`
	Reference      string     `json:"reference"`
	Title          string     `json:"title"`
	Tier           string     `json:"tier" enum:"standard|premium|platinum"`
	Severity       int        `json:"severity"`
	Level          int        `json:"level"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
}

func toEscalationWire(e escalation.Record) escalationWire {
	return escalationWire{ID: e.ID, IncidentID: e.IncidentID, Reference: e.Reference, Title: e.Title, Tier: e.Tier,
		Severity: e.Severity, Level: e.Level, Reason: e.Reason, CreatedAt: e.CreatedAt, AcknowledgedAt: e.AcknowledgedAt}
}

// webhookWire is a webhook subscription; the secret appears only in the answer that made it.
type webhookWire struct {
	ID              uuid.UUID  `json:"id"`
	Name            string     `json:"name"`
	URL             string     `json:"url"`
	Events          []string   `json:"events"`
	OrganizationID  *uuid.UUID `json:"organization_id"`
	Active          bool       `json:"active"`
	CreatedBy       uuid.UUID  `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	SecretEncrypted bool       `json:"encrypted_at_rest"`
	Secret          string     `json:"secret,omitempty" doc:"the generated secret, shown once in the answer that creates the webhook"`
}

func toWebhookWire(h escalation.Webhook) webhookWire {
	return webhookWire{ID: h.ID, Name: h.Name, URL: h.URL, Events: h.Events, OrganizationID: h.OrganizationID, Active: h.Active,
		CreatedBy: h.CreatedBy, CreatedAt: h.CreatedAt, SecretEncrypted: h.SecretEncrypted}
}

// notificationWire is an in-app notification.
type notificationWire struct {
	ID         uuid.UUID      `json:"id"`
	Kind       string         `json:"kind"`
	IncidentID *uuid.UUID     `json:"incident_id"`
	Subject    string         `json:"subject"`
	Body       string         `json:"body"`
	Data       map[string]any `json:"data"`
	CreatedAt  time.Time      `json:"created_at"`
	ReadAt     *time.Time     `json:"read_at"`
}

func toNotificationWire(n escalation.Notification) notificationWire {
	return notificationWire{ID: n.ID, Kind: n.Kind, IncidentID: n.IncidentID, Subject: n.Subject, Body: n.Body, Data: n.Data,
		CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
}

// creditWire is a service credit earned by a breach.
type creditWire struct {
	ID              uuid.UUID  `json:"id"`
	OrganizationID  uuid.UUID  `json:"organization_id"`
	IncidentID      uuid.UUID  `json:"incident_id"`
	Reference       string     `json:"reference"`
	EntitlementID   uuid.UUID  `json:"entitlement_id"`
	Target          string     `json:"target"`
	Severity        int        `json:"severity"`
	DueAt           time.Time  `json:"due_at"`
	MetAt           *time.Time `json:"met_at"`
	LatenessSeconds *float64   `json:"lateness_seconds"`
	Amount          float64    `json:"amount"`
	CreatedAt       time.Time  `json:"created_at"`
}

func toCreditWire(c tickets.Credit) creditWire {
	return creditWire{ID: c.ID, OrganizationID: c.OrganizationID, IncidentID: c.IncidentID, Reference: c.Reference,
		EntitlementID: c.EntitlementID, Target: c.Target, Severity: c.Severity, DueAt: c.DueAt, MetAt: c.MetAt,
		LatenessSeconds: c.LatenessSeconds, Amount: c.Amount, CreatedAt: c.CreatedAt}
}

// creditsWire is a page of an organisation's credits over a period, with the period's total.
type creditsWire struct {
	From           time.Time    `json:"from"`
	Items          []creditWire `json:"items"`
	Next           string       `json:"next_cursor,omitempty"`
	OrganizationID uuid.UUID    `json:"organization_id"`
	To             time.Time    `json:"to"`
	Total          float64      `json:"total"`
}

// rejectionReply shows a refused intake's body safely whatever bytes it holds: request_body is
// the JSON as sent when it is JSON in UTF-8, otherwise a string with invalid bytes replaced;
// request_body_base64 always holds the exact bytes.
type rejectionReply struct {
	ID                uuid.UUID      `json:"id"`
	OrganizationID    uuid.UUID      `json:"organization_id"`
	UserID            uuid.UUID      `json:"user_id"`
	EntitlementID     *uuid.UUID     `json:"entitlement_id"`
	Product           string         `json:"product"`
	Code              string         `json:"code"`
	Message           string         `json:"message"`
	Details           map[string]any `json:"details"`
	CreatedAt         time.Time      `json:"created_at"`
	RequestBody       any            `json:"request_body" doc:"the body as sent, when it is JSON in UTF-8; otherwise a string with invalid bytes replaced"`
	RequestBodyBase64 string         `json:"request_body_base64" doc:"the exact bytes of the body, whatever they are"`
}

// slaReportWire is the SLA report over a period.
type slaReportWire struct {
	From     time.Time       `json:"from"`
	To       time.Time       `json:"to"`
	Rows     []reportRowWire `json:"rows"`
	Handoffs []assignRowWire `json:"time_to_assign"`
}

type reportRowWire struct {
	Tier                         string   `json:"tier"`
	Severity                     int      `json:"severity"`
	Incidents                    int      `json:"incidents"`
	FirstResponseMet             int      `json:"first_response_met"`
	FirstResponseBreached        int      `json:"first_response_breached"`
	FirstResponseMedianSec       *float64 `json:"first_response_median_seconds"`
	FirstResponseP90Sec          *float64 `json:"first_response_p90_seconds"`
	UpdateCadenceBreaches        int      `json:"update_cadence_breaches"`
	EscalationsLevel1            int      `json:"escalations_level_1"`
	EscalationsLevel2            int      `json:"escalations_level_2"`
	EscalationsLevel1Deadline    int      `json:"escalations_level_1_deadline"`
	EscalationsLevel1Request     int      `json:"escalations_level_1_request"`
	EscalationsLevel1HigherLevel int      `json:"escalations_level_1_higher_level"`
	EscalationsLevel2Deadline    int      `json:"escalations_level_2_deadline"`
	EscalationsLevel2Request     int      `json:"escalations_level_2_request"`
}

type assignRowWire struct {
	TierGroup     string   `json:"tier_group" enum:"standard|premium_platinum"`
	Channel       string   `json:"channel"`
	Assigned      int      `json:"assigned"`
	MeanSeconds   *float64 `json:"mean_seconds"`
	TargetSeconds float64  `json:"target_seconds"`
	WithinTarget  *bool    `json:"within_target"`
}

func toSLAReportWire(r report.SLA) slaReportWire {
	out := slaReportWire{From: r.From, To: r.To}
	if r.Rows != nil {
		out.Rows = make([]reportRowWire, len(r.Rows))
		for i, x := range r.Rows {
			out.Rows[i] = reportRowWire(x)
		}
	}
	if r.Handoffs != nil {
		out.Handoffs = make([]assignRowWire, len(r.Handoffs))
		for i, x := range r.Handoffs {
			out.Handoffs[i] = assignRowWire(x)
		}
	}
	return out
}

// withSecret adds the generated secret to the answer that created the webhook.
func withSecret(w webhookWire, secret string) webhookWire { w.Secret = secret; return w }

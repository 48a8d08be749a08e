package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/supportd/supportd/sla/replay"
)

// replayRequest is POST /v1/sla/replay.
type replayRequest struct {
	From           time.Time       `json:"from"`
	To             time.Time       `json:"to"`
	Tier           string          `json:"tier" enum:"standard|premium|platinum" doc:"required with policy"`
	Severity       int             `json:"severity"`
	OrganizationID *uuid.UUID      `json:"organization_id"`
	Product        string          `json:"product"`
	Policy         json.RawMessage `json:"policy" doc:"a policy version number, or {\"cells\": [...]} merged onto the tier's current policy (as PUT /v1/policies/{tier}); absent: each tier's current policy"` // a version number, or {"cells": [...]} as in PUT /v1/policies/{tier}
	Calendar       json.RawMessage `json:"calendar" doc:"a calendar name, or a calendar object, for every business clock of the draft"`                                                                        // a calendar name or object for every business clock of the draft
	Background     bool            `json:"background" doc:"run as a job even when small"`
	MaxChanges     int             `json:"max_changes" doc:"changed incidents listed in detail (default 100); all are counted"`
}

func (s *Server) startReplay(c *fiber.Ctx) error {
	var req replayRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rep, inline, err := s.deps.Replays.Start(c.UserContext(), caller(c), replay.Request{From: req.From, To: req.To, Tier: req.Tier,
		Severity: req.Severity, OrganizationID: req.OrganizationID, Product: req.Product, Policy: req.Policy, Calendar: req.Calendar,
		Background: req.Background, MaxChanges: req.MaxChanges})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, "/v1/sla/replays/"+rep.ID.String())
	if !inline {
		return c.Status(fiber.StatusAccepted).JSON(toReplayWire(rep))
	}
	return c.JSON(toReplayWire(rep))
}

func (s *Server) getReplay(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if c.Query("format") != "csv" && c.Get(fiber.HeaderAccept) != "text/csv" {
		rep, err := s.deps.Replays.Get(c.UserContext(), caller(c), id)
		if err != nil {
			return err
		}
		return c.JSON(toReplayWire(rep))
	}
	out, err := s.deps.Replays.CSV(c.UserContext(), caller(c), id, c.Query("part"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="replay-`+id.String()+`.csv"`)
	return c.Send(out)
}

// replayWire is a replay: its request, progress and, once done, its result.
type replayWire struct {
	ID         uuid.UUID            `json:"id"`
	State      string               `json:"state" enum:"running|done|failed"`
	Error      string               `json:"error,omitempty"`
	Request    replay.StoredRequest `json:"request"`
	Progress   replay.Progress      `json:"progress"`
	CreatedAt  time.Time            `json:"created_at"`
	FinishedAt *time.Time           `json:"finished_at"`
	Result     *replay.Answer       `json:"result"`
}

func toReplayWire(r replay.Report) replayWire {
	return replayWire{ID: r.ID, State: r.State, Error: r.Error, Request: r.Request, Progress: r.Progress,
		CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt, Result: r.Result}
}

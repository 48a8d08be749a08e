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
	Tier           string          `json:"tier"`
	Severity       int             `json:"severity"`
	OrganizationID *uuid.UUID      `json:"organization_id"`
	Product        string          `json:"product"`
	Policy         json.RawMessage `json:"policy"`   // a version number, or {"cells": [...]} as in PUT /v1/policies/{tier}
	Calendar       json.RawMessage `json:"calendar"` // a calendar name or object for every business clock of the draft
	Background     bool            `json:"background"`
	MaxChanges     int             `json:"max_changes"`
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
		return c.Status(fiber.StatusAccepted).JSON(rep)
	}
	return c.JSON(rep)
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
		return c.JSON(rep)
	}
	out, err := s.deps.Replays.CSV(c.UserContext(), caller(c), id, c.Query("part"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="replay-`+id.String()+`.csv"`)
	return c.Send(out)
}

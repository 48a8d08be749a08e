package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla"
)

// TestErrorMap: every error kind has its status (SPEC §5), errors reach the envelope however
// they are wrapped, and what is not the client's business stays on the server.
func TestErrorMap(t *testing.T) {
	want := map[apperr.Kind]int{
		apperr.Internal: 500, apperr.Malformed: 400, apperr.Unauthorized: 401, apperr.Forbidden: 403,
		apperr.NotFound: 404, apperr.Conflict: 409, apperr.TooLarge: 413, apperr.Invalid: 422,
		apperr.Unavailable: 503, apperr.MethodNotAllowed: 405, apperr.HeadersTooLarge: 431,
	}
	if len(statusOf) != len(want) {
		t.Errorf("statusOf maps %d kinds, want %d", len(statusOf), len(want))
	}
	for k, s := range want {
		if statusOf[k] != s {
			t.Errorf("kind %d: status %d, want %d", k, statusOf[k], s)
		}
	}

	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		field   string
		message string // a substring; for 5xx, what must NOT appear is checked below
	}{
		{"invalid field", apperr.InvalidField("severity", "severity must be 1–4"), 422, "invalid_value", "severity", "severity must be 1–4"},
		{"wrapped", fmt.Errorf("opening: %w", apperr.NotFoundf("incident not found")), 404, "not_found", "", "incident not found"},
		{"conflict", apperr.New(apperr.Conflict, "already_acknowledged", "given already"), 409, "already_acknowledged", "", "given already"},
		{"planner field error", &sla.FieldError{Field: "cells[1].clock", Message: "is not a calendar"}, 422, "invalid_value", "cells[1].clock", "is not a calendar"},
		{"fiber 404", fiber.ErrNotFound, 404, "not_found", "", "no such route"},
		{"fiber 413", fiber.ErrRequestEntityTooLarge, 413, "body_too_large", "", ""},
		{"plain error", errors.New("pq: relation secret_table does not exist"), 500, "internal", "", "internal error"},
		{"internal apperr", apperr.Wrap(errors.New("SELECT 1 failed"), "storing incident"), 500, "internal", "", "internal error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler), nil)})
			app.Get("/x", func(*fiber.Ctx) error { return c.err })
			res, err := app.Test(httptest.NewRequest("GET", "/x", nil))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			var body struct {
				Error map[string]any `json:"error"`
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("not an envelope: %s", raw)
			}
			if res.StatusCode != c.status || body.Error["code"] != c.code {
				t.Fatalf("%d %v, want %d %s: %s", res.StatusCode, body.Error["code"], c.status, c.code, raw)
			}
			if c.field != "" && body.Error["field"] != c.field {
				t.Errorf("field %v, want %s", body.Error["field"], c.field)
			}
			msg, _ := body.Error["message"].(string)
			if !strings.Contains(msg, c.message) {
				t.Errorf("message %q, want it to say %q", msg, c.message)
			}
			if c.status >= 500 {
				if _, ok := body.Error["request_id"]; !ok {
					t.Errorf("a 5xx without request_id: %s", raw)
				}
				if strings.Contains(string(raw), "secret_table") || strings.Contains(string(raw), "SELECT") {
					t.Errorf("an internal error leaked: %s", raw)
				}
			}
		})
	}
}

package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/sla/catalog"
)

// TestDecodeShapes: what is not one JSON object of the expected shape is refused with a code a
// client can act on, and the policy body (durations as strings or seconds, nested cells) decodes
// with errors pointing into the cells.
func TestDecodeShapes(t *testing.T) {
	type policyBody struct {
		Cells []catalog.Cell `json:"cells"`
	}
	cases := []struct {
		name, body, code, field string
	}{
		{"two objects", `{"cells":[]} {"cells":[]}`, "malformed_json", ""},
		{"an array", `[{"cells":[]}]`, "invalid_value", "body"},
		{"a string", `"cells"`, "invalid_value", "body"},
		{"duration string", `{"cells":[{"severity":1,"target":"first_response","duration":"1h","clock":"24x7"}]}`, "", ""},
		{"duration seconds", `{"cells":[{"severity":1,"target":"first_response","duration":90,"clock":"24x7"}]}`, "", ""},
		{"unknown key in a cell", `{"cells":[{"severity":1,"target":"first_response","durashun":"1h"}]}`, "unknown_field", "cells[0].durashun"},
		{"bad duration", `{"cells":[{"severity":1,"target":"first_response","duration":"soon"}]}`, "invalid_value", "body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var v policyBody
			err := decodeBody([]byte(tc.body), &v)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(v.Cells) != 1 {
					t.Fatalf("cells %+v", v.Cells)
				}
				return
			}
			ae, ok := err.(*apperr.Error)
			if !ok || ae.Code != tc.code || ae.Field != tc.field {
				t.Fatalf("got %#v, want %s on %q", err, tc.code, tc.field)
			}
		})
	}
	var v policyBody
	if err := decodeBody([]byte(`{"cells":[{"severity":1,"target":"first_response","duration":5400}]}`), &v); err != nil ||
		time.Duration(*v.Cells[0].Duration) != 90*time.Minute {
		t.Fatalf("seconds: %+v %v", v, err)
	}
}

// TestDecodeEmptyBody: a required body that is empty (or blank) is a 400 malformed_json; an
// optional one is no body at all.
func TestDecodeEmptyBody(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		return c.Status(599).SendString(err.(*apperr.Error).Code)
	}})
	app.Post("/required", func(c *fiber.Ctx) error {
		var v struct{}
		if err := decodeJSON(c, &v); err != nil {
			return err
		}
		return c.SendString("decoded")
	})
	app.Post("/optional", func(c *fiber.Ctx) error {
		var v struct {
			Message string `json:"message"`
		}
		if err := decodeOptional(c, &v); err != nil {
			return err
		}
		return c.SendString("decoded:" + v.Message)
	})
	for path, want := range map[string]string{"/required": "malformed_json", "/optional": "decoded:"} {
		for _, body := range []string{"", "  \n"} {
			res, err := app.Test(httptest.NewRequest("POST", path, strings.NewReader(body)))
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 64)
			n, _ := res.Body.Read(got)
			if string(got[:n]) != want {
				t.Errorf("%s with %q: %s, want %s", path, body, got[:n], want)
			}
		}
	}
}

package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/sla"
)

// statusOf is the one map from error kinds to HTTP statuses.
var statusOf = map[apperr.Kind]int{
	apperr.Internal:     fiber.StatusInternalServerError,
	apperr.Malformed:    fiber.StatusBadRequest,
	apperr.Unauthorized: fiber.StatusUnauthorized,
	apperr.Forbidden:    fiber.StatusForbidden,
	apperr.NotFound:     fiber.StatusNotFound,
	apperr.Conflict:     fiber.StatusConflict,
	apperr.TooLarge:     fiber.StatusRequestEntityTooLarge,
	apperr.Invalid:      fiber.StatusUnprocessableEntity,
	apperr.Unavailable:  fiber.StatusServiceUnavailable,
}

// fromFiber turns Fiber's own errors (unknown route, body limit, wrong method) into engine errors.
func fromFiber(fe *fiber.Error) *apperr.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return apperr.New(apperr.NotFound, "not_found", "no such route")
	case fiber.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than the server accepts")
	case fiber.StatusMethodNotAllowed:
		return &apperr.Error{Kind: apperr.Malformed, Code: "method_not_allowed", Message: "method not allowed on this route"}
	case fiber.StatusBadRequest:
		return apperr.New(apperr.Malformed, "malformed_request", "%s", fe.Message)
	}
	if fe.Code >= 500 {
		return &apperr.Error{Kind: apperr.Internal, Code: "internal", Err: fe}
	}
	return &apperr.Error{Kind: apperr.Malformed, Code: "bad_request", Message: fe.Message}
}

// retryAfter is what a 503 asks clients to wait (seconds): about how long a PostgreSQL restart
// or failover keeps the database away.
const retryAfter = "2"

// classify turns any error into an engine error. An internal error caused by the database going
// away or being unreachable is a 503 database_unavailable whichever layer let it through
// untranslated: the request was not wrong, and its retry may succeed.
func classify(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if ae.Kind == apperr.Internal && dbx.Unavailable(err) {
			return dbx.UnavailableError(err)
		}
		return ae
	}
	if dbx.Unavailable(err) {
		return dbx.UnavailableError(err)
	}
	var fe *sla.FieldError
	if errors.As(err, &fe) {
		return apperr.InvalidField(fe.Field, "%s %s", fe.Field, fe.Message)
	}
	var fbe *fiber.Error
	if errors.As(err, &fbe) {
		return fromFiber(fbe)
	}
	return &apperr.Error{Kind: apperr.Internal, Code: "internal", Err: err}
}

// errorHandler writes every error as {"error": {"code", "message", …}}. Internal errors are logged
// with the request ID and shown only as a generic message: no stack traces or SQL leave the server.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		ae := classify(err)
		status, ok := statusOf[ae.Kind]
		if !ok {
			status = fiber.StatusInternalServerError
		}
		body := map[string]any{}
		for k, v := range ae.Details {
			body[k] = v
		}
		body["code"] = ae.Code
		body["message"] = ae.Message
		if ae.Field != "" {
			body["field"] = ae.Field
		}
		rid := requestID(c)
		if ae.Kind == apperr.Unavailable {
			c.Set(fiber.HeaderRetryAfter, retryAfter)
		}
		if status >= 500 {
			log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "error", err)
			if ae.Kind == apperr.Internal {
				body["code"] = "internal"
				body["message"] = "internal error; quote request_id " + rid + " to support"
			}
			body["request_id"] = rid
		}
		out, _ := json.Marshal(map[string]any{"error": body})
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Status(status).Send(out)
	}
}

// decodeJSON reads the body into v. Broken JSON is a 400 malformed_json; a value of the wrong type
// is a 422 naming the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(body) == 0 {
		return apperr.New(apperr.Malformed, "malformed_json", "a JSON body is required")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return apperr.InvalidField(field, "%s must be a JSON %s", field, te.Type.Kind())
		}
		return &apperr.Error{Kind: apperr.Malformed, Code: "malformed_json", Message: "the body is not valid JSON: " + err.Error()}
	}
	return nil
}

// pageRequest reads the paging query of a list: cursor (from a previous page's next_cursor) and
// limit (1–200, default 50).
func pageRequest(c *fiber.Ctx) (page.Request, error) {
	var r page.Request
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > page.MaxLimit {
			return r, apperr.InvalidField("limit", "limit must be an integer 1–%d", page.MaxLimit)
		}
		r.Limit = n
	}
	if v := c.Query("cursor"); v != "" {
		cur, err := page.ParseCursor(v)
		if err != nil {
			return r, err
		}
		r.Cursor = &cur
	}
	return r.Checked()
}

// listed is the answer of a paged list: its items and, unless it is the last page, the cursor of
// the next one; extra fields go beside them.
func listed(items any, next string, extra fiber.Map) fiber.Map {
	m := fiber.Map{"items": items}
	for k, v := range extra {
		m[k] = v
	}
	if next != "" {
		m["next_cursor"] = next
	}
	return m
}

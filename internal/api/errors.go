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

	apperr.MethodNotAllowed: fiber.StatusMethodNotAllowed,
	apperr.HeadersTooLarge:  fiber.StatusRequestHeaderFieldsTooLarge,
}

// fromFiber turns Fiber's own errors (unknown route, body limit, wrong method) into engine errors.
func fromFiber(fe *fiber.Error) *apperr.Error {
	switch fe.Code {
	case fiber.StatusNotFound:
		return apperr.New(apperr.NotFound, "not_found", "no such route")
	case fiber.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, "body_too_large", "the request body is larger than the server accepts")
	case fiber.StatusMethodNotAllowed:
		return apperr.New(apperr.MethodNotAllowed, "method_not_allowed", "this route does not take that method; the Allow header lists those it takes")
	case fiber.StatusRequestHeaderFieldsTooLarge:
		return apperr.New(apperr.HeadersTooLarge, "headers_too_large", "the request line and headers are larger than the server accepts (%d bytes)", maxHeaderBytes)
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
// allow, given a path, lists the methods it takes, for the Allow header of a 405.
func errorHandler(log *slog.Logger, allow func(path string) string) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		ae := classify(err)
		if ae.Kind == apperr.MethodNotAllowed && allow != nil {
			c.Set(fiber.HeaderAllow, allow(c.Path()))
		}
		status, ok := statusOf[ae.Kind]
		if !ok {
			status = fiber.StatusInternalServerError
		}
		rid := requestID(c)
		body := errorBody(ae, rid)
		if ae.Kind == apperr.Unavailable {
			c.Set(fiber.HeaderRetryAfter, retryAfter)
		}
		if status >= 500 {
			body["request_id"] = rid
			log.Error("request failed", "request_id", rid, "method", c.Method(), "path", c.Path(), "error", err)
			if ae.Kind == apperr.Internal {
				body["code"] = "internal"
				body["message"] = "internal error; quote request_id " + rid + " to support"
			}
		}
		out, _ := json.Marshal(map[string]any{"error": body})
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Status(status).Send(out)
	}
}

// errorBody is the inside of the error envelope. The request ID is quoted on 5xx answers, where
// support needs it.
func errorBody(ae *apperr.Error, rid string) map[string]any {
	body := map[string]any{}
	for k, v := range ae.Details {
		body[k] = v
	}
	body["code"] = ae.Code
	body["message"] = ae.Message
	if ae.Field != "" {
		body["field"] = ae.Field
	}
	if statusOf[ae.Kind] >= 500 {
		body["request_id"] = rid
	}
	return body
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

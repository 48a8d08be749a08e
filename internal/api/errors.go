package api

import (
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/apperr"
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

// classify turns any error into an engine error.
func classify(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
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

// Package apperr defines the engine's errors: a kind that decides the HTTP status, a
// machine-readable code that clients switch on, a message a person can act on, and optional
// details. Domain packages return these; the HTTP layer maps kinds to statuses in one place.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the transport layer.
type Kind int

// The kinds of error. Internal is the zero value so that an unclassified error is never shown.
const (
	Internal         Kind = iota // a bug or an outage: logged, shown generically (500)
	Malformed                    // the request cannot be parsed (400)
	Unauthorized                 // no or bad credentials (401)
	Forbidden                    // the caller may not do this, and may know the thing exists (403)
	NotFound                     // absent, or not visible to the caller (404)
	Conflict                     // the state of the thing forbids it (409)
	TooLarge                     // the request body is over the limit (413)
	Invalid                      // a value is out of range or inconsistent (422)
	Unavailable                  // a dependency is down (503)
	MethodNotAllowed             // the route exists but not with this method (405)
	HeadersTooLarge              // the request line and headers are over the limit (431)
)

// Error is an engine error with a machine-readable code.
type Error struct {
	Kind    Kind
	Code    string         // e.g. "invalid_value", "not_found"
	Message string         // for a person
	Field   string         // the offending request field, for Invalid
	Details map[string]any // extra machine-readable facts, merged into the error body
	Err     error          // the cause, never shown to clients
}

func (e *Error) Error() string {
	msg := e.Code + ": " + e.Message
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind and code.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns a 422-kind error naming the offending field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: "invalid_value", Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a not_found error.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error with a cause; its message is never shown to clients.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return err
	}
	return &Error{Kind: Internal, Code: "internal", Message: fmt.Sprintf(format, args...), Err: err}
}

// With returns a copy of e carrying an extra detail.
func (e *Error) With(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// KindOf returns the kind of err, Internal for errors that are not *Error.
func KindOf(err error) Kind {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Kind
	}
	return Internal
}

// Is reports whether err is an *Error with the given code.
func Is(err error, code string) bool {
	var ae *Error
	return errors.As(err, &ae) && ae.Code == code
}

package sla

import "errors"

// ErrInvalid is wrapped by every *FieldError, so callers can map all
// validation failures of this package to one status (422) with errors.Is.
var ErrInvalid = errors.New("invalid")

// ErrUnknownCalendar is returned (wrapped) by Plan when a policy cell names
// a calendar that is not in the Calendars set it was given.
var ErrUnknownCalendar = errors.New("unknown calendar")

// FieldError reports one invalid input field. Field is a path in the JSON
// shape of SPEC §5, e.g. "cells[2].duration", "time_zone" or
// "weekly.monday[1]", so an API can echo it to the client unchanged.
type FieldError struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrInvalid) true for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, msg string) *FieldError { return &FieldError{Field: field, Message: msg} }

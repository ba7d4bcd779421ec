// Package apperr is the one error type services return; the HTTP layer maps
// its Code to a status in one table.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies an error for clients.
type Code string

// The codes a service may return.
const (
	Invalid         Code = "invalid"
	BadRequest      Code = "bad_request"
	NotFound        Code = "not_found"
	Forbidden       Code = "forbidden"
	Conflict        Code = "conflict"
	Unauthenticated Code = "unauthenticated"
	Locked          Code = "locked"
	TooManyRequests Code = "too_many_requests"
	Internal        Code = "internal"
)

// Error is an error a client may see: a code, a message and, for invalid
// input, the offending fields with their problems.
type Error struct {
	Code    Code              `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Reason is a finer machine-readable reason such as "account_locked".
	Reason string `json:"reason,omitempty"`
	cause  error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with a code and message.
func New(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Newf returns an error with a code and a formatted message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields returns an invalid-input error naming fields.
func InvalidFields(fields map[string]string) *Error {
	msg := "invalid input"
	for k, v := range fields {
		if len(fields) == 1 {
			msg = k + ": " + v
		}
	}
	return &Error{Code: Invalid, Message: msg, Fields: fields}
}

// Field returns an invalid-input error for one field.
func Field(name, problem string) *Error {
	return InvalidFields(map[string]string{name: problem})
}

// FieldErrors gathers the problems of an input, one per field (the first
// wins), for one invalid-input error naming them all.
type FieldErrors map[string]string

// Add records a problem with field, unless it already has one.
func (f FieldErrors) Add(field, problem string) {
	if _, ok := f[field]; !ok {
		f[field] = problem
	}
}

// Err returns the invalid-input error, or nil when there is no problem.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return InvalidFields(f)
}

// NotFoundf returns a not-found error.
func NotFoundf(format string, args ...any) *Error { return Newf(NotFound, format, args...) }

// Wrap returns an internal error carrying cause.
func Wrap(cause error, msg string) *Error {
	return &Error{Code: Internal, Message: msg, cause: cause}
}

// WithReason sets Reason and returns e.
func (e *Error) WithReason(r string) *Error { e.Reason = r; return e }

// As returns err as *Error; any other error becomes an internal one.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", cause: err}
}

// CodeOf returns the code of err ("" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Status maps a code to its HTTP status.
func Status(c Code) int {
	switch c {
	case Invalid:
		return http.StatusUnprocessableEntity
	case BadRequest:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case Forbidden:
		return http.StatusForbidden
	case Conflict:
		return http.StatusConflict
	case Unauthenticated:
		return http.StatusUnauthorized
	case Locked:
		return http.StatusLocked
	case TooManyRequests:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

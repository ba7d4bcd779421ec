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
// input, the offending fields with their problems. Problems holds each
// field's problem as a code with arguments; Fields holds the same problems
// in English words (the API's language when none is asked for), rendered
// from the catalogue when the error is made.
type Error struct {
	Code     Code               `json:"code"`
	Message  string             `json:"message"`
	Fields   map[string]string  `json:"fields,omitempty"`
	Problems map[string]Problem `json:"problems,omitempty"`
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

// Field returns an invalid-input error for one field: its problem is code
// with the arguments given as name, value pairs (Field("title",
// MaxChars, "n", 200)).
func Field(name string, code PCode, kv ...any) *Error {
	return FieldErrors{name: P(code, kv...)}.invalid()
}

// FieldProblem returns an invalid-input error for one field with p.
func FieldProblem(name string, p Problem) *Error { return FieldErrors{name: p}.invalid() }

// FieldErrors gathers the problems of an input, one per field (the first
// wins), for one invalid-input error naming them all. It is the one
// collector of field problems: services and handlers alike use it.
type FieldErrors map[string]Problem

// Add records a problem with field, unless it already has one.
func (f FieldErrors) Add(field string, code PCode, kv ...any) { f.AddProblem(field, P(code, kv...)) }

// MaxFields bounds the fields one error names, so that a bad import of
// thousands of rows answers with a readable list.
const MaxFields = 50

// AddProblem records p with field, unless the field has a problem already;
// the zero Problem (no problem) is ignored, so a check that returns one can
// be added unconditionally.
func (f FieldErrors) AddProblem(field string, p Problem) {
	if p.Code == "" || len(f) >= MaxFields {
		return
	}
	if _, ok := f[field]; !ok {
		f[field] = p
	}
}

// Copy returns a new collector holding f's problems (f may be nil).
func (f FieldErrors) Copy() FieldErrors {
	out := make(FieldErrors, len(f))
	for k, p := range f {
		out[k] = p
	}
	return out
}

// Merge adds the field problems of err (an invalid-input error) to f and
// reports whether err was one; any other error is left to the caller.
func (f FieldErrors) Merge(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Code != Invalid || len(e.Problems) == 0 {
		return false
	}
	for k, p := range e.Problems {
		f.AddProblem(k, p)
	}
	return true
}

// Err returns the invalid-input error, or nil when there is no problem.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return f.invalid()
}

func (f FieldErrors) invalid() *Error {
	e := &Error{Code: Invalid, Message: "invalid input", Problems: map[string]Problem(f),
		Fields: make(map[string]string, len(f))}
	for k, p := range f {
		e.Fields[k] = p.Text(English)
		if len(f) == 1 {
			e.Message = k + ": " + e.Fields[k]
		}
	}
	return e
}

// FieldText returns the problems of e in lang, field → words; nil when e
// names no field.
func (e *Error) FieldText(lang string) map[string]string {
	if len(e.Problems) == 0 {
		return e.Fields
	}
	out := make(map[string]string, len(e.Problems))
	for k, p := range e.Problems {
		out[k] = p.Text(lang)
	}
	return out
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

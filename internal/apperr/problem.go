package apperr

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"gridgov/internal/i18n"
)

// English is the language of Error.Fields and of the API when a request
// asks for no other.
const English = i18n.EN

// PCode names a field problem. Its words, in every language, are in the
// i18n catalogue (internal/i18n/locales/<lang>/problems.json), with its
// arguments as {name} holes; every code is listed in ProblemCodes, and a
// test checks that each language has words for each.
type PCode string

// Problem is a field problem: a code and its arguments (a number, a unit
// code, a nested Problem …). It becomes words only where it is shown.
type Problem struct {
	Code PCode          `json:"code"`
	Args map[string]any `json:"args,omitempty"`
}

// P returns a problem with code and arguments given as name, value pairs.
func P(code PCode, kv ...any) Problem {
	p := Problem{Code: code}
	if len(kv) > 0 {
		p.Args = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			p.Args[fmt.Sprint(kv[i])] = kv[i+1]
		}
	}
	return p
}

// Text returns the problem in words in lang.
func (p Problem) Text(lang string) string { return i18n.Problem(lang, string(p.Code), p.Args) }

// Error makes a Problem an error, for checks below the service that return
// one (an ID-card number's check digit, a time limit); the service puts it
// on a field with FieldProblem(name, ProblemOf(err)).
func (p Problem) Error() string { return p.Text(English) }

// ProblemOf returns the problem err carries: err itself when it is a
// Problem, the first field problem of an invalid-input error, or else a
// Detail problem quoting the error's text (a parser's message).
func ProblemOf(err error) Problem {
	var p Problem
	if errors.As(err, &p) {
		return p
	}
	var e *Error
	if errors.As(err, &e) {
		for _, k := range slices.Sorted(maps.Keys(e.Problems)) {
			return e.Problems[k]
		}
		return P(Detail, "detail", e.Message)
	}
	return P(Detail, "detail", err.Error())
}

package apperr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/i18n"
)

func TestFieldError(t *testing.T) {
	e := apperr.Field("title", apperr.MaxChars, "n", 200)
	if e.Code != apperr.Invalid || e.Fields["title"] != "at most 200 characters" || e.Message != "title: at most 200 characters" {
		t.Errorf("got %+v, want invalid title with English words", e)
	}
	if got := e.FieldText(i18n.ZH)["title"]; got != "最多 200 个字符" {
		t.Errorf("zh-CN: got %q", got)
	}
	b, _ := json.Marshal(e.Problems)
	if got, want := string(b), `{"title":{"code":"max_chars","args":{"n":200}}}`; got != want {
		t.Errorf("problems JSON: got %s, want %s", got, want)
	}
}

func TestFieldErrors(t *testing.T) {
	f := apperr.FieldErrors{}
	if f.Err() != nil {
		t.Fatal("an empty collector is an error")
	}
	f.Add("name", apperr.Required)
	f.Add("name", apperr.MaxChars, "n", 10) // the first problem of a field wins
	f.AddProblem("code", apperr.Problem{})  // no problem
	f.Add("lat", apperr.OutOfRange, "min", -90, "max", 90)
	e := apperr.As(f.Err())
	if len(e.Problems) != 2 || e.Problems["name"].Code != apperr.Required || e.Fields["lat"] != "must be a number between -90 and 90" {
		t.Errorf("got %+v", e)
	}
	for i := range apperr.MaxFields + 10 {
		f.Add(fmt.Sprintf("rows[%d]", i), apperr.Required)
	}
	if n := len(apperr.As(f.Err()).Problems); n != apperr.MaxFields {
		t.Errorf("got %d fields, want at most %d", n, apperr.MaxFields)
	}
	merged := apperr.FieldErrors{}
	if !merged.Merge(e) || merged["lat"].Code != apperr.OutOfRange {
		t.Errorf("Merge: got %v", merged)
	}
	if merged.Merge(errors.New("disk full")) {
		t.Errorf("Merge took an error that is not about fields")
	}
}

func TestProblemOf(t *testing.T) {
	tests := []struct {
		err  error
		want apperr.PCode
	}{
		{apperr.P(apperr.IDCheckDigit), apperr.IDCheckDigit},
		{fmt.Errorf("row 3: %w", apperr.P(apperr.IDBirth)), apperr.IDBirth},
		{apperr.Field("x", apperr.Required), apperr.Required},
		{errors.New("unexpected EOF"), apperr.Detail},
	}
	for _, tt := range tests {
		if got := apperr.ProblemOf(tt.err).Code; got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.err, got, tt.want)
		}
	}
}

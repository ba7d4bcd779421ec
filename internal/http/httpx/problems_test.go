package httpx

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"gridgov/internal/apperr"
)

// TestWriteErrorProblems checks an invalid error's body: the problems as
// codes with arguments, and fields in words in the Accept-Language (zh-CN
// or en), English when the header names neither.
func TestWriteErrorProblems(t *testing.T) {
	errs := apperr.FieldErrors{}
	errs.Add("title", apperr.MaxChars, "n", 200)
	errs.Add("id_number", apperr.IDNumber, "why", apperr.P(apperr.IDCheckDigit))
	tests := []struct {
		accept, title, id string
	}{
		{"", "at most 200 characters", "not a valid ID-card number: the check digit does not match"},
		{"fr-FR", "at most 200 characters", "not a valid ID-card number: the check digit does not match"},
		{"zh-CN,zh;q=0.9", "最多 200 个字符", "不是有效的身份证号：校验位不符"},
		{"en-GB,zh;q=0.5", "at most 200 characters", "not a valid ID-card number: the check digit does not match"},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/api/v1/x", nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Language", tt.accept)
		}
		rec := httptest.NewRecorder()
		WriteError(rec, req, errs.Err())
		var body struct {
			Error struct {
				Code     string                     `json:"code"`
				Fields   map[string]string          `json:"fields"`
				Problems map[string]json.RawMessage `json:"problems"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		e := body.Error
		if rec.Code != 422 || e.Code != "invalid" || e.Fields["title"] != tt.title || e.Fields["id_number"] != tt.id {
			t.Errorf("Accept-Language %q: got %d %+v, want fields %q and %q", tt.accept, rec.Code, e, tt.title, tt.id)
		}
		if got, want := string(e.Problems["title"]), `{"code":"max_chars","args":{"n":200}}`; got != want {
			t.Errorf("problems.title: got %s, want %s", got, want)
		}
		if got, want := string(e.Problems["id_number"]), `{"code":"id_number","args":{"why":{"code":"id_check_digit"}}}`; got != want {
			t.Errorf("problems.id_number: got %s, want %s", got, want)
		}
	}
}

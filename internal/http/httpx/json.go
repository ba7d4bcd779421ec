package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/i18n"
)

// MaxBody is the largest request body DecodeJSON accepts.
const MaxBody = 1 << 20

// Codes of the HTTP layer that services never return.
const (
	UnsupportedMediaType apperr.Code = "unsupported_media_type"
	TooLarge             apperr.Code = "too_large"
	MethodNotAllowed     apperr.Code = "method_not_allowed"
	Unavailable          apperr.Code = "unavailable"
)

// Status maps an error code to its HTTP status, including the codes of the
// HTTP layer.
func Status(c apperr.Code) int {
	switch c {
	case UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case Unavailable:
		return http.StatusServiceUnavailable
	}
	return apperr.Status(c)
}

// WriteJSON writes v as JSON with status. API responses are never cached:
// they carry personal data.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of ErrorBody.
type ErrorDetail struct {
	Code    apperr.Code `json:"code"`
	Message string      `json:"message"`
	// Fields holds each field's problem in words, in the language the
	// request's Accept-Language asks for (zh-CN or en; English when it
	// names neither); Problems the same problems as codes with arguments.
	Fields    map[string]string         `json:"fields,omitempty"`
	Problems  map[string]apperr.Problem `json:"problems,omitempty"`
	Reason    string                    `json:"reason,omitempty"`
	RequestID string                    `json:"request_id,omitempty"`
}

// Lang returns the language of an API answer: the one Accept-Language
// asks for, English when it names none of ours.
func Lang(r *http.Request) string {
	if l := i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return i18n.EN
}

// errorLoggerKey holds the logger WriteError uses for internal errors.
type errorLoggerKey struct{}

// WithErrorLogger returns middleware that makes WriteError log internal
// errors to log.
func WithErrorLogger(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), errorLoggerKey{}, log)))
	})
}

// WriteError writes err as {"error":{…}} with the status of its code.
// Internal errors are logged at error level and reach the client only as a
// generic message with the request id. Every not_found carries the same
// message, so a response never tells an object outside the caller's scope
// from one that does not exist.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		log, _ := r.Context().Value(errorLoggerKey{}).(*slog.Logger)
		if log == nil {
			log = slog.Default()
		}
		log.Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path,
			"request_id", metaOf(r).RequestID)
	}
	writeErrorBody(w, r, e)
}

func writeErrorBody(w http.ResponseWriter, r *http.Request, e *apperr.Error) {
	d := ErrorDetail{Code: e.Code, Message: e.Message, Fields: e.FieldText(Lang(r)), Problems: e.Problems,
		Reason: e.Reason, RequestID: metaOf(r).RequestID}
	switch e.Code {
	case apperr.Internal:
		d.Message, d.Fields, d.Problems, d.Reason = "internal error", nil, nil, ""
	case apperr.NotFound:
		d.Message, d.Fields, d.Problems = "not found", nil, nil
	}
	if e.Code == apperr.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gridgov"`)
	}
	WriteJSON(w, Status(e.Code), ErrorBody{Error: d})
}

func metaOf(r *http.Request) actor.Meta { return actor.MetaFrom(r.Context()) }

// DecodeJSON reads the request body into v strictly: the content type must
// be application/json (415), the body at most MaxBody bytes (413), well
// formed (400 bad_request with the offset), without unknown fields (422
// naming the field) or values of the wrong type (422 naming the field), and
// a single JSON value.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return apperr.New(UnsupportedMediaType, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return apperr.New(apperr.BadRequest, "malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return apperr.Newf(TooLarge, "request body is larger than %d bytes", MaxBody)
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.BadRequest, "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.BadRequest, "malformed JSON: unexpected end of input")
	case errors.As(err, &syn):
		return apperr.Newf(apperr.BadRequest, "malformed JSON at offset %d: %s", syn.Offset,
			strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.Newf(apperr.BadRequest, "request body must be %s, not %s", kindName(typ), typ.Value)
		}
		return apperr.Field(field, apperr.JSONType, "want", kindName(typ), "got", typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return apperr.Field(name, apperr.UnknownField)
	}
	return apperr.Newf(apperr.BadRequest, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// kindName names the JSON type a Go type expects.
func kindName(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind().String() {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a " + e.Type.String()
}

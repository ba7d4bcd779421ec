package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"gridgov/internal/apperr"
)

// statusWriter remembers the status and size of a response for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logNote is filled in by inner handlers (who the user turned out to be) and
// read by the access log, which runs outside them.
type logNote struct{ user string }

type logNoteKey struct{}

// NoteUser records the authenticated user name for the access log line.
func NoteUser(ctx context.Context, username string) {
	if n, ok := ctx.Value(logNoteKey{}).(*logNote); ok {
		n.user = username
	}
}

// AccessLog writes one line per request: method, path without the query
// string (queries may carry search terms about people), status, size,
// duration, client, user and request id. Headers are never logged, so
// tokens and cookies stay out of the log.
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		note := &logNote{}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), logNoteKey{}, note)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m := metaOf(r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes),
			slog.Duration("dur", time.Since(start)), slog.String("ip", m.IP),
			slog.String("user", note.user), slog.String("request_id", m.RequestID))
	})
}

// Recover turns a panic into a 500 with a generic body and the request id,
// logging the stack, so one bad request never takes the server down.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v) // the server's own signal to drop the connection
			}
			log.Error("panic", "panic", v, "path", r.URL.Path,
				"request_id", metaOf(r).RequestID, "stack", string(debug.Stack()))
			writeErrorBody(w, r, apperr.New(apperr.Internal, "internal error"))
		}()
		next.ServeHTTP(w, r)
	})
}

// SecurityHeaders sets the headers every response carries, DefaultCSP
// among them. A handler may replace any of them.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		DefaultCSP().Set(h)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), payment=()")
		next.ServeHTTP(w, r)
	})
}

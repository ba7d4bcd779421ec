package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/http/httpx"
	"gridgov/internal/idem"
)

// maxReplayBody bounds the JSON body of a replayable write, which is
// buffered to be fingerprinted.
const maxReplayBody = 1 << 20

// replayable reports whether a route answers a repeated Idempotency-Key
// with the first answer (through idem): the writes the field app's outbox
// replays. POST /cases binds its key to the case inside the case's own
// transaction (cases.CreateCase through idem.Bind, the same table), and
// POST /uploads keeps its key on the upload.
func replayable(method, path string) bool {
	if method != http.MethodPost {
		return false
	}
	switch path {
	case "/visits", "/people/{id}/verify", "/houses/{id}/verify", "/organisations/{id}/verify",
		"/components/{id}/verify", "/rosters/{roster}/{id}/verify":
		return true
	}
	if name, ok := strings.CutPrefix(path, "/cases/{id}/"); ok && !strings.Contains(name, "/") {
		return true // the transitions
	}
	return false
}

// recorder passes a response through and keeps a copy for the replay.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (rc *recorder) WriteHeader(code int) {
	if rc.status == 0 {
		rc.status = code
	}
	rc.ResponseWriter.WriteHeader(code)
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	rc.body.Write(b)
	return rc.ResponseWriter.Write(b)
}

// idempotent wraps a replayable handler: with an Idempotency-Key header the
// first request runs and its answer (success or a final refusal) is kept;
// a retry with the same key and body gets that answer with
// Idempotent-Replayed: true; a server error or an expired login is not
// kept, so a retry runs again. Without the header the handler just runs.
func (a *api) idempotent(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		act := actor.From(r.Context())
		if key == "" || a.Idempotency == nil || act == nil {
			return h(w, r)
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReplayBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return apperr.Newf(httpx.TooLarge, "request body is larger than %d bytes", maxReplayBody)
			}
			return apperr.New(apperr.BadRequest, "could not read the request body")
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		route := r.Method + " " + r.URL.Path
		ans, err := a.Idempotency.Begin(r.Context(), act.UserID, key, route, idem.Fingerprint(route, body))
		if err != nil {
			return err
		}
		if ans != nil {
			w.Header().Set("Content-Type", ans.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(ans.Status)
			_, _ = w.Write(ans.Body)
			return nil
		}
		rec := &recorder{ResponseWriter: w}
		if herr := h(rec, r); herr != nil {
			httpx.WriteError(rec, r, herr)
		}
		// The answer is recorded even when the client has gone: that is
		// exactly when the retry comes.
		// The response is already written, so a failure here is only logged.
		ctx := context.WithoutCancel(r.Context())
		switch {
		case rec.status >= 500, rec.status == http.StatusUnauthorized, rec.status == http.StatusTooManyRequests,
			rec.status == http.StatusRequestTimeout:
			err = a.Idempotency.Release(ctx, act.UserID, key)
		default:
			err = a.Idempotency.Finish(ctx, act.UserID, key, idem.Answer{Status: rec.status,
				ContentType: rec.Header().Get("Content-Type"), Body: rec.body.Bytes()})
		}
		if err != nil {
			a.Log.Error("idempotency record", "err", err, "route", route)
		}
		return nil
	}
}

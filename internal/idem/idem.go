// Package idem makes API writes replayable under an Idempotency-Key
// (draft-ietf-httpapi-idempotency-key-header): the first request with a key
// is recorded with a fingerprint of its route and body and, once answered,
// with its answer; a retry with the same key and request gets that answer
// again instead of a second write. The field app's outbox relies on it to
// send every capture exactly once over a network that drops answers.
package idem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/jobs"
)

// MaxKey bounds the length of a key.
const MaxKey = 200

// Retention is how long answers are kept: longer than a phone may stay
// offline with a full outbox.
const Retention = 30 * 24 * time.Hour

// staleAfter is when a request still marked running is taken to have died
// (the server stopped between its write and the record of the answer), so a
// retry may run it again rather than wait for ever.
const staleAfter = 2 * time.Minute

// ReasonInProgress and ReasonReused are the apperr reasons of a retry that
// arrives while the first request runs (409) and of a key reused with
// another request (422).
const (
	ReasonInProgress = "idempotency_in_progress"
	ReasonReused     = "idempotency_key_reused"
)

// Answer is a recorded response.
type Answer struct {
	Status      int
	ContentType string
	Body        []byte
}

// Service records keys and answers.
type Service struct {
	st    store
	clock clock.Clock
}

// New returns the service over d.
func New(d *db.DB, clk clock.Clock) *Service {
	return &Service{st: store{db: d}, clock: clk}
}

// Fingerprint hashes a request's route and body.
func Fingerprint(route string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(route))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Begin claims key for a request of userID on route with fingerprint hash.
// It returns the recorded answer when the same request was answered
// before (the caller replays it); nil when the caller is to run the
// request and then call Finish or Release. A key used with another route
// or body is a 422 naming the Idempotency-Key; a retry while the first
// request still runs is a 409.
func (s *Service) Begin(ctx context.Context, userID int64, key, route, hash string) (*Answer, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > MaxKey {
		return nil, apperr.Field("Idempotency-Key", apperr.CharsBetween, "min", 1, "max", 200)
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	claimed, err := s.st.claim(ctx, userID, key, route, hash, now)
	if err != nil || claimed {
		return nil, err
	}
	rec, err := s.st.get(ctx, userID, key)
	if err != nil {
		return nil, err
	}
	if rec.route != route || rec.hash != hash {
		return nil, apperr.Field("Idempotency-Key", apperr.IdemReused).WithReason(ReasonReused)
	}
	if rec.answer.Status != 0 {
		return &rec.answer, nil
	}
	if now.Sub(rec.created) < staleAfter {
		return nil, apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still running; retry later").
			WithReason(ReasonInProgress)
	}
	took, err := s.st.takeOver(ctx, userID, key, now.Add(-staleAfter), now)
	if err != nil {
		return nil, err
	}
	if !took {
		return nil, apperr.New(apperr.Conflict, "a request with this Idempotency-Key is still running; retry later").
			WithReason(ReasonInProgress)
	}
	return nil, nil
}

// Finish records the answer of a request begun with Begin.
func (s *Service) Finish(ctx context.Context, userID int64, key string, a Answer) error {
	return s.st.finish(ctx, userID, strings.TrimSpace(key), a)
}

// Release forgets a key whose request failed in a way a retry may change
// (a server error, an expired login), so the retry runs again.
func (s *Service) Release(ctx context.Context, userID int64, key string) error {
	return s.st.release(ctx, userID, strings.TrimSpace(key))
}

// Purge deletes keys older than Retention and returns how many.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	return s.st.purge(ctx, s.clock.Now().UTC().Add(-Retention))
}

// boundStatus marks a key bound by a service to the object its write made
// (Bind), not an HTTP answer; Begin never replays it, since its route is a
// service scope ("case.create"), not a request's.
const boundStatus = 1

// Bind records, in the caller's transaction, that the write of userID under
// key — in scope (e.g. "case.create"), with fingerprint hash — made the
// object ref, so that a retry finds it with Bound instead of writing again.
// Because it joins the transaction of the write, the write and its key
// commit together or not at all. A key already taken fails with a unique
// violation (db.IsUniqueViolation): a concurrent retry won; call Bound.
func (s *Service) Bind(ctx context.Context, userID int64, key, scope, hash, ref string) error {
	key = strings.TrimSpace(key)
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	return s.st.bind(ctx, userID, key, scope, hash, ref, now)
}

// Bound returns the object a write of userID made under key, if any. The
// key used in another scope or with another fingerprint is a 422 naming the
// Idempotency-Key, as Begin answers.
func (s *Service) Bound(ctx context.Context, userID int64, key, scope, hash string) (ref string, ok bool, err error) {
	rec, ok, err := s.st.lookup(ctx, userID, strings.TrimSpace(key))
	if err != nil || !ok {
		return "", false, err
	}
	if rec.route != scope || rec.hash != hash || rec.answer.Status != boundStatus {
		return "", false, apperr.Field("Idempotency-Key", apperr.IdemReused).WithReason(ReasonReused)
	}
	return string(rec.answer.Body), true, nil
}

// PurgeJob is Purge as a background job (internal/jobs), hourly.
func (s *Service) PurgeJob() jobs.Job {
	return jobs.Job{Name: "idempotency.purge", Schedule: jobs.Every(time.Hour),
		Run: func(ctx context.Context) (jobs.Summary, error) {
			n, err := s.Purge(ctx)
			return jobs.Summary{"purged": n}, err
		}}
}

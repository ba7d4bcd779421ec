package cases

import (
	"context"
	"encoding/json"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/idem"
	"gridgov/internal/rbac"
)

// Service holds the rules of the case loop: permission and scope checks,
// the state machine, deadlines, and transactions with their steps and audit
// entries.
type Service struct {
	db        *db.DB
	audit     *audit.Log
	clock     clock.Clock
	deadlines Deadlines
	locator   Locator
	// addresses places a case by its address (see WithAddressLocator).
	addresses AddressLocator
	st        store
	// attachments checks linked attachment ids; nil: shape only.
	attachments Attachments
	// cats caches the catalogue (see catCache).
	cats catCache
	// hooks run on every status change (see OnStatusChange).
	hooks []StatusHook
	// replays keeps the idempotency keys of case creation (internal/idem
	// owns them, with the API's replayed writes).
	replays *idem.Service
	// rules are the loop's rules by action (workflow.go).
	rules map[Action]Rule
}

// Option gives the service one of its optional collaborators at
// construction.
type Option func(*Service)

// WithAttachments makes every transition check the attachment ids it
// links through a; without it ids are only checked for shape.
func WithAttachments(a Attachments) Option { return func(s *Service) { s.attachments = a } }

// WithAddressLocator lets CreateCase place a case that has an address but
// neither a grid nor coordinates; without it such a case falls back to the
// reporter's sole grid.
func WithAddressLocator(l AddressLocator) Option { return func(s *Service) { s.addresses = l } }

// NewService returns the case service. locator may be nil, in which case
// cases need a grid_code (or a reporter responsible for exactly one grid).
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, dl Deadlines, loc Locator, opts ...Option) *Service {
	s := &Service{db: d, audit: log, clock: clk, deadlines: dl, locator: loc, st: store{db: d},
		replays: idem.New(d, clk), rules: rulesByAction()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// now is the service time, truncated to what both engines store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Errors of the state machine, distinguished by reason.
const (
	ReasonInvalidTransition = "invalid_transition"
	ReasonStale             = "stale"
	ReasonIdempotency       = "idempotency_key_reused"
)

func errTransition(a Action, st Status) error {
	return apperr.Newf(apperr.Conflict, "action %s is not allowed while the case is %s", a, st).
		WithReason(ReasonInvalidTransition)
}

func errStale() error {
	return apperr.New(apperr.Conflict, "the case was changed by someone else; reload it").WithReason(ReasonStale)
}

// visible decides whether an actor holding scope (for case.read) may see a
// case whose territory and handler units have the given paths. It is the one
// rule for case visibility; scopeSQL is its SQL twin for lists.
func visible(scope rbac.Scope, paths []string) bool {
	for _, p := range paths {
		if scope.Covers(p) {
			return true
		}
	}
	return false
}

// scopeSQL restricts a query over cases aliased c to those visible in scope.
func scopeSQL(scope rbac.Scope) (string, []any) {
	if scope.All {
		return "1=1", nil
	}
	if len(scope.Paths) == 0 {
		return "1=0", nil
	}
	cond, args := scope.SQL("cu.path")
	return "EXISTS (SELECT 1 FROM case_units cu WHERE cu.case_id = c.id AND " + cond + ")", args
}

// can reports whether the actor holds perm over the unit at path.
func can(ctx context.Context, perm rbac.Permission, path string) bool {
	return rbac.Can(actor.From(ctx), perm, path)
}

// requireAt checks perm over a unit path for an actor who can already see
// the case: lacking it is forbidden, not not_found.
func requireAt(ctx context.Context, perm rbac.Permission, path, what string) error {
	if actor.From(ctx) == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if can(ctx, perm, path) {
		return nil
	}
	return apperr.Newf(apperr.Forbidden, "permission %s over %s required", perm, what)
}

// cleanIDs normalises attachment ids (nil → empty, no duplicates).
func cleanIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func checkIDs(ids []int64, errs apperr.FieldErrors) {
	for _, id := range ids {
		if id <= 0 {
			errs.Add("attachments", apperr.Positive)
		}
	}
	if len(ids) > 50 {
		errs.Add("attachments", apperr.MaxCount, "n", 50)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain values are marshalled
	}
	return string(b)
}

// requireLogin fails unless an actor is present.
func requireLogin(ctx context.Context) error {
	if actor.From(ctx) == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	return nil
}

// requireScoped checks perm over path; out of scope is not_found.
func requireScoped(ctx context.Context, perm rbac.Permission, path string) error {
	return rbac.Require(ctx, perm, path)
}

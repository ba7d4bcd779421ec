package auth

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// Units is what auth needs from the organisation: where a unit sits in the tree.
// The service reads unit names and paths inside its own queries through the
// expressions orgdir builds, so that an authenticated request costs one
// query; Units is kept for callers that wire it.
type Units interface {
	UnitPath(ctx context.Context, code string) (string, error)
}

// Service holds accounts, sessions and roles.
type Service struct {
	db    *db.DB
	st    store
	audit *audit.Log
	clock clock.Clock
	units Units
	opts  Options

	// dummyHash is verified against for unknown names, so that their login
	// costs what a known name's does.
	dummyOnce sync.Once
	dummyHash string
}

// NewService returns the auth service. Zero option fields take their defaults.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, units Units, opts Options) *Service {
	return &Service{db: d, st: store{db: d}, audit: log, clock: clk, units: units, opts: withDefaults(opts)}
}

func withDefaults(o Options) Options {
	def := DefaultOptions()
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = def.IdleTimeout
	}
	if o.AbsoluteTimeout <= 0 {
		o.AbsoluteTimeout = def.AbsoluteTimeout
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = def.MaxFailures
	}
	if o.FailureWindow <= 0 {
		o.FailureWindow = def.FailureWindow
	}
	if o.LockFor <= 0 {
		o.LockFor = def.LockFor
	}
	if o.MaxIPFailures <= 0 {
		o.MaxIPFailures = def.MaxIPFailures
	}
	if o.PasswordPolicy != PolicyBasic {
		o.PasswordPolicy = PolicyMLPS3
	}
	if o.Argon2Memory == 0 || o.Argon2Time == 0 || o.Argon2Threads == 0 {
		o.Argon2Memory, o.Argon2Time, o.Argon2Threads = def.Argon2Memory, def.Argon2Time, def.Argon2Threads
	}
	return o
}

func (s *Service) argon() argonParams {
	return argonParams{memory: s.opts.Argon2Memory, time: s.opts.Argon2Time, threads: s.opts.Argon2Threads}
}

// hash applies the service's password policy for username and hashes password.
func (s *Service) hash(username, password string) (string, error) {
	if err := CheckPassword(s.opts.PasswordPolicy, username, password); err != nil {
		return "", err
	}
	h, err := hashPassword(password, s.argon())
	if err != nil {
		return "", apperr.Wrap(err, "hash password")
	}
	return h, nil
}

// dummyVerify spends the time of one password check against nothing.
func (s *Service) dummyVerify(password string) {
	s.dummyOnce.Do(func() {
		s.dummyHash, _ = hashPassword("dummy password for timing", s.argon())
	})
	_, _ = verifyPassword(s.dummyHash, password)
}

// now is the service clock in UTC, truncated to what both engines store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

var (
	usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)
	roleNameRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{1,31}$`)
)

// normName is how login names are compared: trimmed and lower case.
func normName(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

// writer returns the acting actor for a write, or an error when none.
func writer(ctx context.Context) (*actor.Actor, error) {
	a := actor.From(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "login required")
	}
	return a, nil
}

// dbErr wraps an unexpected database error as internal.
func dbErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var e *apperr.Error
	if errors.As(err, &e) {
		return e
	}
	return apperr.Wrap(err, what)
}

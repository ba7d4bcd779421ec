package auth

import (
	"context"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// errBadLogin is the one answer to a wrong name, wrong password or disabled
// account, so that none can be told from the others.
func errBadLogin() error {
	return apperr.New(apperr.Unauthenticated, "wrong username or password")
}

func errLocked(until time.Time) error {
	e := apperr.Newf(apperr.Locked, "account locked until %s after repeated failed logins",
		until.In(shanghai).Format("2006-01-02 15:04:05 -07:00")).WithReason(ReasonAccountLocked)
	e.Fields = map[string]string{"locked_until": until.UTC().Format(time.RFC3339)}
	return e
}

// Login checks a password and opens a session of kind KindWeb or KindAPI.
// Errors: unauthenticated (wrong name or password, same for both), locked
// (reason account_locked, after MaxFailures in FailureWindow, for LockFor),
// too_many_requests (per-address limit). Every attempt is audited.
func (s *Service) Login(ctx context.Context, username, password, kind string) (Session, error) {
	if kind != KindWeb && kind != KindAPI {
		return Session{}, apperr.Field("kind", apperr.OneOf, "values", "web, api")
	}
	name := normName(username)
	if err := loginShape(name, password); err != nil {
		return Session{}, err
	}
	if r := []rune(name); len(r) > 64 {
		name = string(r[:64]) // no valid name is this long; keep the records small
	}
	now := s.now()
	u, known, err := s.st.userByName(ctx, name)
	if err != nil {
		return Session{}, dbErr(err, "load user")
	}
	if err := s.throttled(ctx, name, u, now); err != nil {
		return Session{}, err
	}
	// The password is checked outside any transaction: argon2 is slow on
	// purpose and must not hold the database's write lock.
	reason := "unknown_user"
	if known {
		ok, err := verifyPassword(u.hash, password)
		switch {
		case err != nil:
			return Session{}, apperr.Wrap(err, "stored password hash")
		case !ok:
			reason = "bad_password"
		case u.Disabled:
			reason = "disabled"
		default:
			return s.openSession(ctx, u, s.upgradedHash(u.hash, password), kind, now)
		}
	} else {
		s.dummyVerify(password)
	}
	return Session{}, s.loginFailed(ctx, name, u, reason, now)
}

// loginShape refuses an empty form; it is no attempt and is not counted.
func loginShape(name, password string) error {
	fields := apperr.FieldErrors{}
	if name == "" {
		fields.Add("username", apperr.Required)
	}
	if password == "" {
		fields.Add("password", apperr.Required)
	}
	if len(fields) > 0 {
		return fields.Err()
	}
	return nil
}

// upgradedHash returns a new hash of password when the stored one was made
// with another cost than the service's, and "" when it is current: logins
// move accounts to the configured parameters without anyone noticing.
func (s *Service) upgradedHash(stored, password string) string {
	p, _, _, err := parsePHC(stored)
	if err != nil || p == s.argon() {
		return ""
	}
	h, err := hashPassword(password, s.argon())
	if err != nil {
		return ""
	}
	return h
}

// throttled refuses an attempt from an address with too many recent
// failures, or for a locked name, before any password is checked.
func (s *Service) throttled(ctx context.Context, name string, u userRec, now time.Time) error {
	ip := actor.MetaFrom(ctx).IP
	if ip != "" {
		n, err := s.st.ipFailuresSince(ctx, ip, now.Add(-s.opts.FailureWindow))
		if err != nil {
			return dbErr(err, "count failures")
		}
		if n >= s.opts.MaxIPFailures {
			e := apperr.New(apperr.TooManyRequests, "too many failed logins from this address; try again later").
				WithReason(ReasonRateLimited)
			return s.refuseLogin(ctx, name, u, ReasonRateLimited, e)
		}
	}
	until, err := s.st.lockedUntil(ctx, name)
	if err != nil {
		return dbErr(err, "read lock")
	}
	if until.After(now) {
		return s.refuseLogin(ctx, name, u, ReasonAccountLocked, errLocked(until))
	}
	return nil
}

// refuseLogin audits a refused attempt and returns e.
func (s *Service) refuseLogin(ctx context.Context, name string, u userRec, reason string, e error) error {
	if err := s.audit.Record(ctx, failedLogin(name, u, reason)); err != nil {
		return dbErr(err, "audit login")
	}
	return e
}

func failedLogin(name string, u userRec, reason string) audit.Entry {
	return audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: name, Result: audit.Failure,
		Username: name, UserID: u.ID, UnitCode: u.UnitCode, Detail: map[string]any{"reason": reason}}
}

// loginFailed records a failure and starts a lock when it reaches the limit.
// Its transaction commits, so the failure counts even though Login fails.
func (s *Service) loginFailed(ctx context.Context, name string, u userRec, reason string, now time.Time) error {
	ip := actor.MetaFrom(ctx).IP
	result := errBadLogin()
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		until, err := s.st.lockedUntil(ctx, name)
		if err != nil {
			return err
		}
		if until.After(now) { // locked by a concurrent attempt meanwhile
			result = errLocked(until)
			return s.audit.Record(ctx, failedLogin(name, u, ReasonAccountLocked))
		}
		// Failures before the end of the last lock were paid for by it.
		since := now.Add(-s.opts.FailureWindow)
		if until.After(since) {
			since = until.Add(-time.Microsecond) // a failure at the very end counts
		}
		if err := s.st.addFailure(ctx, name, ip, now, now.Add(-s.opts.FailureWindow)); err != nil {
			return err
		}
		n, err := s.st.failuresSince(ctx, name, since)
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, failedLogin(name, u, reason)); err != nil {
			return err
		}
		if n < s.opts.MaxFailures {
			return nil
		}
		lockEnd := now.Add(s.opts.LockFor)
		if err := s.st.setLock(ctx, name, lockEnd); err != nil {
			return err
		}
		result = errLocked(lockEnd)
		return s.audit.Record(ctx, audit.Entry{Action: "auth.lockout", ObjectType: "user", ObjectID: name,
			Result: audit.Success, Username: name, UserID: u.ID, UnitCode: u.UnitCode,
			Detail: map[string]any{"failures": n, "locked_until": lockEnd.Format(time.RFC3339)}})
	})
	if err != nil {
		return dbErr(err, "record failed login")
	}
	return result
}

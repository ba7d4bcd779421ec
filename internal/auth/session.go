package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// Reasons of refused logins and requests (apperr.Error.Reason).
const (
	ReasonAccountLocked  = "account_locked"
	ReasonSessionExpired = "session_expired"
	ReasonRateLimited    = "rate_limited"
)

// touchEvery is how stale last_seen_at may get before a request rewrites it,
// so that most authenticated requests only read.
const touchEvery = time.Minute

// deadGrace is how long an expired session's row is kept, so that a late
// request is told its session expired rather than that it never existed.
const deadGrace = 24 * time.Hour

// shanghai is China Standard Time (no daylight saving), for messages to users.
var shanghai = time.FixedZone("CST", 8*3600)

func errLoginRequired() error { return apperr.New(apperr.Unauthenticated, "login required") }

// newToken returns a random token for a client and the hash stored for it.
func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", apperr.Wrap(err, "random token")
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CheckCSRF reports whether token is the CSRF token of the web session s,
// comparing in constant time.
func CheckCSRF(s Session, token string) bool {
	return s.Kind == KindWeb && s.CSRFToken != "" &&
		subtle.ConstantTimeCompare([]byte(s.CSRFToken), []byte(token)) == 1
}

// openSession creates the session of a successful login, storing rehash as
// the user's password hash when it is not empty.
func (s *Service) openSession(ctx context.Context, u userRec, rehash, kind string, now time.Time) (Session, error) {
	grants, err := s.st.grantsOf(ctx, u.ID)
	if err != nil {
		return Session{}, dbErr(err, "load grants")
	}
	token, hash, err := newToken()
	if err != nil {
		return Session{}, err
	}
	csrf := ""
	if kind == KindWeb {
		if csrf, _, err = newToken(); err != nil {
			return Session{}, err
		}
	}
	meta := actor.MetaFrom(ctx)
	expires := now.Add(s.opts.AbsoluteTimeout)
	a := buildActor(u, grants, kind)
	var refused error
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		until, err := s.st.lockedUntil(ctx, u.Username)
		if err != nil {
			return err
		}
		if until.After(now) { // locked by a concurrent attempt meanwhile
			refused = errLocked(until)
			return s.audit.Record(ctx, failedLogin(u.Username, u, ReasonAccountLocked))
		}
		if err := s.st.clearFailures(ctx, u.Username); err != nil {
			return err
		}
		if rehash != "" {
			if err := s.st.rehash(ctx, u.ID, rehash); err != nil {
				return err
			}
		}
		if err := s.st.deleteDeadSessions(ctx, now.Add(-deadGrace), now.Add(-s.opts.IdleTimeout-deadGrace)); err != nil {
			return err
		}
		if err := s.st.insertSession(ctx, hash, u.ID, kind, csrf, meta.IP, truncate(meta.UserAgent, 512),
			now, expires); err != nil {
			return err
		}
		return s.audit.Record(actor.With(ctx, a), audit.Entry{Action: "auth.login", ObjectType: "user",
			ObjectID: u.Username, Result: audit.Success, Detail: map[string]any{"kind": kind}})
	})
	if err != nil {
		return Session{}, dbErr(err, "open session")
	}
	if refused != nil {
		return Session{}, refused
	}
	return Session{Token: token, CSRFToken: csrf, Kind: kind, ExpiresAt: expires,
		User: publicUser(u, grants)}, nil
}

// Authenticate turns a session token into an actor, enforcing idle and
// absolute timeouts (unauthenticated, reason session_expired) and disabled
// users. kind is KindWeb or KindAPI and must match the session's; "" accepts
// either.
func (s *Service) Authenticate(ctx context.Context, token, kind string) (*actor.Actor, Session, error) {
	if token == "" || len(token) > 128 {
		return nil, Session{}, errLoginRequired()
	}
	hash := hashToken(token)
	rec, ok, err := s.st.sessionByHash(ctx, hash)
	if err != nil {
		return nil, Session{}, dbErr(err, "load session")
	}
	if !ok || rec.revoked || (kind != "" && rec.kind != kind) || rec.user.Disabled {
		return nil, Session{}, errLoginRequired()
	}
	now := s.now()
	if now.Sub(rec.lastSeen) > s.opts.IdleTimeout || now.After(rec.expires) {
		return nil, Session{}, apperr.New(apperr.Unauthenticated, "session expired, please log in again").
			WithReason(ReasonSessionExpired)
	}
	if now.Sub(rec.lastSeen) >= touchEvery {
		if err := s.st.touchSession(ctx, hash, now); err != nil {
			return nil, Session{}, dbErr(err, "touch session")
		}
	}
	sess := Session{Token: token, Kind: rec.kind, ExpiresAt: rec.expires, User: publicUser(rec.user, rec.grants)}
	if rec.kind == KindWeb {
		sess.CSRFToken = rec.csrf
	}
	return buildActor(rec.user, rec.grants, rec.kind), sess, nil
}

// Logout ends the session of token. The row is deleted, not flagged, so
// nothing of the credential remains. Ending an unknown session is no error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > 128 {
		return nil
	}
	hash := hashToken(token)
	rec, ok, err := s.st.sessionByHash(ctx, hash)
	if err != nil || !ok {
		return dbErr(err, "load session")
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		gone, err := s.st.deleteSession(ctx, hash)
		if err != nil || !gone {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "auth.logout", ObjectType: "user",
			ObjectID: rec.user.Username, Username: rec.user.Username, UserID: rec.user.ID,
			UnitCode: rec.user.UnitCode, Detail: map[string]any{"kind": rec.kind}})
	})
	return dbErr(err, "logout")
}

// buildActor makes the actor of a user from their grants.
func buildActor(u userRec, grants []grantRec, kind string) *actor.Actor {
	a := &actor.Actor{UserID: u.ID, Username: u.Username, UnitCode: u.UnitCode, SessionKind: kind,
		Grants: make([]actor.Grant, 0, len(grants))}
	if u.StaffID != nil {
		a.StaffID = *u.StaffID
	}
	for _, g := range grants {
		perms := map[string]bool{}
		for _, p := range strings.Fields(g.perms) {
			perms[p] = true
		}
		a.Grants = append(a.Grants, actor.Grant{Role: g.Role, ScopeCode: g.ScopeCode, ScopePath: g.path, Perms: perms})
	}
	return a
}

// publicUser is the user as callers see it, with its grants.
func publicUser(u userRec, grants []grantRec) User {
	out := u.User
	out.Grants = []Grant{}
	for _, g := range grants {
		if g.userID == u.ID {
			out.Grants = append(out.Grants, g.Grant)
		}
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

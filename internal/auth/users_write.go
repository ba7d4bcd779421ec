package auth

import (
	"context"
	"strings"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// manageable loads a user the actor may change: the home unit must lie in
// the actor's user.write scope (not_found outside it, forbidden where the
// actor may only read), and every permission the user holds must be held by
// the actor over the same scope, so that no one takes over an account
// stronger than their own (by resetting its password, for example).
func (s *Service) manageable(ctx context.Context, id int64) (*actor.Actor, userRec, []grantRec, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, userRec{}, nil, err
	}
	if err := rbac.RequireAny(ctx, rbac.UserWrite); err != nil {
		return nil, userRec{}, nil, err
	}
	u, ok, err := s.st.userByID(ctx, id)
	if err != nil {
		return nil, userRec{}, nil, dbErr(err, "load user")
	}
	if !ok || !rbac.Can(a, rbac.UserWrite, u.path) {
		if ok && rbac.Can(a, rbac.UserRead, u.path) {
			return nil, userRec{}, nil, apperr.New(apperr.Forbidden, "permission user.write required for this user")
		}
		return nil, userRec{}, nil, apperr.NotFoundf("user not found")
	}
	grants, err := s.st.grantsOf(ctx, u.ID)
	if err != nil {
		return nil, userRec{}, nil, dbErr(err, "load grants")
	}
	for _, g := range grants {
		for _, p := range strings.Fields(g.perms) {
			if !rbac.Can(a, p, g.path) {
				return nil, userRec{}, nil, apperr.Newf(apperr.Forbidden,
					"user %s holds %s over %s, beyond your own permissions", u.Username, g.Role, g.ScopeCode)
			}
		}
	}
	return a, u, grants, nil
}

// UpdateUser changes a user (user.write); disabling ends their sessions.
// A StaffID of 0 unlinks the staff member. Nothing changed, nothing written.
func (s *Service) UpdateUser(ctx context.Context, id int64, upd UserUpdate) (User, error) {
	a, u, _, err := s.manageable(ctx, id)
	if err != nil {
		return User{}, err
	}
	next, changes, err := s.applyUpdate(ctx, a, u.User, upd)
	if err != nil {
		return User{}, err
	}
	if len(changes) == 0 {
		return s.loadUser(ctx, id)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.updateUser(ctx, next, s.now()); err != nil {
			return err
		}
		if next.Disabled && !u.Disabled {
			n, err := s.st.deleteUserSessions(ctx, u.ID)
			if err != nil {
				return err
			}
			changes["sessions_ended"] = n
		}
		return s.audit.Record(ctx, audit.Entry{Action: "user.update", ObjectType: "user",
			ObjectID: u.Username, Result: audit.Success, Detail: changes})
	})
	if err != nil {
		return User{}, dbErr(err, "update user")
	}
	return s.loadUser(ctx, id)
}

// applyUpdate checks upd against u and returns the changed user and the
// changes for the audit log.
func (s *Service) applyUpdate(ctx context.Context, a *actor.Actor, u User, upd UserUpdate) (User, map[string]any, error) {
	changes := map[string]any{}
	if upd.DisplayName != nil {
		name := strings.TrimSpace(*upd.DisplayName)
		if utf8.RuneCountInString(name) > 64 {
			return u, nil, apperr.Field("display_name", apperr.MaxChars, "n", 64)
		}
		if name != u.DisplayName {
			u.DisplayName, changes["display_name"] = name, name
		}
	}
	if upd.UnitCode != nil {
		code := strings.TrimSpace(*upd.UnitCode)
		if _, _, err := s.writableUnit(ctx, a, code, "unit_code"); err != nil {
			return u, nil, err
		}
		if code != u.UnitCode {
			changes["unit_code"] = map[string]string{"from": u.UnitCode, "to": code}
			u.UnitCode = code
		}
	}
	if upd.StaffID != nil {
		var next *int64
		if *upd.StaffID != 0 {
			if err := s.checkStaff(ctx, a, upd.StaffID); err != nil {
				return u, nil, err
			}
			v := *upd.StaffID
			next = &v
		}
		if !sameID(next, u.StaffID) {
			u.StaffID, changes["staff_id"] = next, next
		}
	}
	if upd.Disabled != nil && *upd.Disabled != u.Disabled {
		if *upd.Disabled && u.ID == a.UserID {
			return u, nil, apperr.New(apperr.Conflict, "you cannot disable your own account")
		}
		u.Disabled, changes["disabled"] = *upd.Disabled, *upd.Disabled
	}
	return u, changes, nil
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// SetPassword sets a user's password (user.write) and ends their sessions.
// It also lifts a login lock, which is how an administrator unlocks an account.
func (s *Service) SetPassword(ctx context.Context, id int64, password string) error {
	_, u, _, err := s.manageable(ctx, id)
	if err != nil {
		return err
	}
	hash, err := s.hash(u.Username, password)
	if err != nil {
		return err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.setPasswordHash(ctx, u.ID, hash, s.now()); err != nil {
			return err
		}
		n, err := s.st.deleteUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := s.st.clearFailures(ctx, u.Username); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "user.password", ObjectType: "user",
			ObjectID: u.Username, Result: audit.Success, Detail: map[string]any{"sessions_ended": n}})
	})
	return dbErr(err, "set password")
}

// ChangeOwnPassword changes the actor's own password after checking the old
// one (invalid field old_password when wrong; policy failures name
// new_password). Every session of the user ends, the current one included.
func (s *Service) ChangeOwnPassword(ctx context.Context, oldPassword, newPassword string) error {
	a := actor.From(ctx)
	if a == nil || a.UserID == 0 {
		return errLoginRequired()
	}
	stored, ok, err := s.st.passwordHash(ctx, a.UserID)
	if err != nil || !ok {
		return errOr(dbErr(err, "load user"), errLoginRequired())
	}
	good, err := verifyPassword(stored, oldPassword)
	if err != nil {
		return apperr.Wrap(err, "stored password hash")
	}
	if !good {
		return apperr.Field("old_password", apperr.Incorrect)
	}
	if newPassword == oldPassword {
		return apperr.Field("new_password", apperr.SamePassword).WithReason("password_reused")
	}
	hash, err := s.hash(a.Username, newPassword)
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid {
			return apperr.FieldProblem("new_password", e.Problems["password"]).WithReason(e.Reason)
		}
		return err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.setPasswordHash(ctx, a.UserID, hash, s.now()); err != nil {
			return err
		}
		n, err := s.st.deleteUserSessions(ctx, a.UserID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "user.password", ObjectType: "user",
			ObjectID: a.Username, Result: audit.Success, Detail: map[string]any{"self": true, "sessions_ended": n}})
	})
	return dbErr(err, "change password")
}

// AddGrant grants a role over a scope to a user (user.write). Errors:
// invalid (field role or scope_code), forbidden (the role holds permissions
// the actor lacks over the scope), conflict (already granted).
func (s *Service) AddGrant(ctx context.Context, userID int64, in GrantInput) (Grant, error) {
	a, u, _, err := s.manageable(ctx, userID)
	if err != nil {
		return Grant{}, err
	}
	g, err := s.resolveGrant(ctx, a, in, "")
	if err != nil {
		return Grant{}, err
	}
	out := Grant{Role: g.role.Name, ScopeCode: g.scope, ScopeName: g.scopeName}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		id, err := s.st.insertGrant(ctx, u.ID, g.role.ID, g.scope, s.now())
		if db.IsUniqueViolation(err) {
			return apperr.Newf(apperr.Conflict, "%s already holds %s over %s", u.Username, g.role.Name, g.scope)
		}
		if err != nil {
			return err
		}
		out.ID = id
		return s.audit.Record(ctx, audit.Entry{Action: "user.grant.add", ObjectType: "user", ObjectID: u.Username,
			Result: audit.Success, Detail: map[string]any{"grant_id": id, "role": g.role.Name, "scope_code": g.scope}})
	})
	if err != nil {
		return Grant{}, dbErr(err, "add grant")
	}
	return out, nil
}

// RemoveGrant removes a grant from a user (user.write).
func (s *Service) RemoveGrant(ctx context.Context, userID, grantID int64) error {
	_, u, grants, err := s.manageable(ctx, userID)
	if err != nil {
		return err
	}
	var g *grantRec
	for i := range grants {
		if grants[i].ID == grantID {
			g = &grants[i]
		}
	}
	if g == nil {
		return apperr.NotFoundf("grant not found")
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		gone, err := s.st.deleteGrant(ctx, u.ID, grantID)
		if err != nil {
			return err
		}
		if !gone {
			return apperr.NotFoundf("grant not found")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "user.grant.remove", ObjectType: "user", ObjectID: u.Username,
			Result: audit.Success, Detail: map[string]any{"grant_id": grantID, "role": g.Role, "scope_code": g.ScopeCode}})
	})
	return dbErr(err, "remove grant")
}

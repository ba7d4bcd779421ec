package auth

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/rbac"
)

// User returns a user whose home unit is in scope (user.read).
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	if err := rbac.RequireAny(ctx, rbac.UserRead); err != nil {
		return User{}, err
	}
	u, ok, err := s.st.userByID(ctx, id)
	if err != nil {
		return User{}, dbErr(err, "load user")
	}
	if !ok {
		return User{}, apperr.NotFoundf("user not found")
	}
	if err := rbac.Require(ctx, rbac.UserRead, u.path); err != nil {
		return User{}, err
	}
	return s.withGrants(ctx, u)
}

// UserByName returns a user by login name, without permission checks (CLI).
func (s *Service) UserByName(ctx context.Context, username string) (User, error) {
	u, ok, err := s.st.userByName(ctx, normName(username))
	if err != nil {
		return User{}, dbErr(err, "load user")
	}
	if !ok {
		return User{}, apperr.NotFoundf("user not found")
	}
	return s.withGrants(ctx, u)
}

func (s *Service) withGrants(ctx context.Context, u userRec) (User, error) {
	grants, err := s.st.grantsOf(ctx, u.ID)
	if err != nil {
		return User{}, dbErr(err, "load grants")
	}
	return publicUser(u, grants), nil
}

// Users lists users in scope (user.read), by login name. A UnitCode filter
// naming a unit the actor cannot see is not_found, like an unknown one.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, int, error) {
	if err := rbac.RequireAny(ctx, rbac.UserRead); err != nil {
		return nil, 0, err
	}
	scope := rbac.ScopeOf(actor.From(ctx), rbac.UserRead)
	cond, args := orgdir.InScope(scope, "u.unit_code")
	where := []string{cond}
	if code := strings.TrimSpace(f.UnitCode); code != "" {
		path, _, ok, err := s.st.unit(ctx, code)
		if err != nil {
			return nil, 0, dbErr(err, "load unit")
		}
		if !ok || !overlaps(scope, path) {
			return nil, 0, apperr.NotFoundf("unit not found")
		}
		under, uargs := orgdir.InScope(rbac.Scope{Paths: []string{path}}, "u.unit_code")
		where, args = append(where, under), append(args, uargs...)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		cond, a := db.ContainsAny(q, "u.username", "u.display_name")
		where, args = append(where, cond), append(args, a...)
	}
	limit, offset, err := db.Paging{Default: 50, Max: 500}.Apply(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	recs, total, err := s.st.listUsers(ctx, strings.Join(where, " AND "), args, limit, offset)
	if err != nil {
		return nil, 0, dbErr(err, "list users")
	}
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	grants, err := s.st.grantsOf(ctx, ids...)
	if err != nil {
		return nil, 0, dbErr(err, "load grants")
	}
	out := make([]User, len(recs))
	for i, r := range recs {
		out[i] = publicUser(r, grants)
	}
	return out, total, nil
}

// overlaps reports whether the subtree at path shares any unit with scope.
func overlaps(scope rbac.Scope, path string) bool {
	if scope.Covers(path) {
		return true
	}
	for _, p := range scope.Paths {
		if strings.HasPrefix(p, path) {
			return true
		}
	}
	return false
}

// resolvedGrant is a grant input checked against roles, units and the actor.
type resolvedGrant struct {
	role      Role
	scope     string
	scopeName string
}

// CreateUser creates a user (user.write over the home unit and each grant
// scope; a grant may not give permissions the actor lacks there).
func (s *Service) CreateUser(ctx context.Context, in UserInput) (User, error) {
	in.Username, in.DisplayName, in.UnitCode = normName(in.Username), strings.TrimSpace(in.DisplayName), strings.TrimSpace(in.UnitCode)
	grants, err := s.checkCreate(ctx, in)
	if err != nil {
		return User{}, err
	}
	// Hashing comes last: it is slow on purpose, and only valid input pays for it.
	hash, err := s.hash(in.Username, in.Password)
	if err != nil {
		return User{}, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		now := s.now()
		if id, err = s.st.insertUser(ctx, in, hash, now); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Newf(apperr.Conflict, "username %s is already taken", in.Username)
			}
			return err
		}
		granted := make([]string, 0, len(grants))
		for _, g := range grants {
			if _, err := s.st.insertGrant(ctx, id, g.role.ID, g.scope, now); err != nil {
				return err
			}
			granted = append(granted, g.role.Name+"@"+g.scope)
		}
		detail := map[string]any{"unit_code": in.UnitCode, "grants": granted}
		if in.StaffID != nil {
			detail["staff_id"] = *in.StaffID
		}
		return s.audit.Record(ctx, audit.Entry{Action: "user.create", ObjectType: "user",
			ObjectID: in.Username, Result: audit.Success, Detail: detail})
	})
	if err != nil {
		return User{}, dbErr(err, "create user")
	}
	return s.loadUser(ctx, id)
}

// checkCreate validates a new user against the actor's permissions and
// returns its grants, resolved.
func (s *Service) checkCreate(ctx context.Context, in UserInput) ([]resolvedGrant, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if err := rbac.RequireAny(ctx, rbac.UserWrite); err != nil {
		return nil, err
	}
	if err := checkUserShape(in); err != nil {
		return nil, err
	}
	if err := CheckPassword(s.opts.PasswordPolicy, in.Username, in.Password); err != nil {
		return nil, err
	}
	if _, taken, err := s.st.userByName(ctx, in.Username); err != nil || taken {
		return nil, errOr(dbErr(err, "load user"), apperr.Newf(apperr.Conflict, "username %s is already taken", in.Username))
	}
	if _, _, err := s.writableUnit(ctx, a, in.UnitCode, "unit_code"); err != nil {
		return nil, err
	}
	if err := s.checkStaff(ctx, a, in.StaffID); err != nil {
		return nil, err
	}
	return s.resolveGrants(ctx, a, in.Grants)
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// loadUser returns a user just written, without permission checks.
func (s *Service) loadUser(ctx context.Context, id int64) (User, error) {
	u, ok, err := s.st.userByID(ctx, id)
	if err != nil || !ok {
		return User{}, errOr(dbErr(err, "load user"), apperr.NotFoundf("user not found"))
	}
	return s.withGrants(ctx, u)
}

func checkUserShape(in UserInput) error {
	fields := apperr.FieldErrors{}
	if !usernameRe.MatchString(in.Username) {
		fields.Add("username", apperr.Username)
	}
	if utf8.RuneCountInString(in.DisplayName) > 64 {
		fields.Add("display_name", apperr.MaxChars, "n", 64)
	}
	if in.UnitCode == "" {
		fields.Add("unit_code", apperr.Required)
	}
	if len(fields) > 0 {
		return fields.Err()
	}
	return nil
}

// writableUnit returns the path and name of a unit where a holds
// user.write; a unit outside that scope is refused exactly like an unknown one.
func (s *Service) writableUnit(ctx context.Context, a *actor.Actor, code, field string) (string, string, error) {
	if code == "" {
		return "", "", apperr.Field(field, apperr.Required)
	}
	path, name, ok, err := s.st.unit(ctx, code)
	if err != nil {
		return "", "", dbErr(err, "load unit")
	}
	if !ok || !rbac.Can(a, rbac.UserWrite, path) {
		return "", "", apperr.Field(field, apperr.NoSuchUnit)
	}
	return path, name, nil
}

// checkStaff refuses a staff id that does not exist or lies outside the
// actor's user.write scope.
func (s *Service) checkStaff(ctx context.Context, a *actor.Actor, id *int64) error {
	if id == nil {
		return nil
	}
	path, ok, err := s.st.staffPath(ctx, *id)
	if err != nil {
		return dbErr(err, "load staff")
	}
	if !ok || !rbac.Can(a, rbac.UserWrite, path) {
		return apperr.Field("staff_id", apperr.NoSuchStaff)
	}
	return nil
}

// resolveGrants checks grant inputs, dropping duplicates.
func (s *Service) resolveGrants(ctx context.Context, a *actor.Actor, in []GrantInput) ([]resolvedGrant, error) {
	var out []resolvedGrant
	seen := map[string]bool{}
	for i, g := range in {
		r, err := s.resolveGrant(ctx, a, g, fmt.Sprintf("grants[%d].", i))
		if err != nil {
			return nil, err
		}
		if key := r.role.Name + "@" + r.scope; !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// resolveGrant checks one grant: the role exists, the scope is a unit where
// a holds user.write, and a holds every permission of the role over that
// scope, so no one can hand out more than they have.
func (s *Service) resolveGrant(ctx context.Context, a *actor.Actor, g GrantInput, prefix string) (resolvedGrant, error) {
	name := strings.TrimSpace(g.Role)
	if name == "" {
		return resolvedGrant{}, apperr.Field(prefix+"role", apperr.Required)
	}
	role, ok, err := s.st.roleByName(ctx, name)
	if err != nil {
		return resolvedGrant{}, dbErr(err, "load role")
	}
	if !ok {
		return resolvedGrant{}, apperr.Field(prefix+"role", apperr.NoSuchRole)
	}
	scope := strings.TrimSpace(g.ScopeCode)
	path, scopeName, err := s.writableUnit(ctx, a, scope, prefix+"scope_code")
	if err != nil {
		return resolvedGrant{}, err
	}
	for _, p := range role.Permissions {
		if !rbac.Can(a, p, path) {
			return resolvedGrant{}, apperr.Newf(apperr.Forbidden,
				"granting role %s over %s needs permission %s there, which you do not hold", role.Name, scope, p)
		}
	}
	return resolvedGrant{role: role, scope: scope, scopeName: scopeName}, nil
}

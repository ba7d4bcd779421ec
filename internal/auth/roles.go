package auth

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// Built-in role names.
const (
	RoleAdmin  = "admin"
	RoleViewer = "viewer"
)

// builtinRoles are the roles every installation has: admin holds every
// permission, viewer every read permission.
func builtinRoles() []Role {
	var reads []string
	for _, p := range rbac.All {
		if strings.HasSuffix(p, ".read") {
			reads = append(reads, p)
		}
	}
	return []Role{
		{Name: RoleAdmin, Title: "管理员", Builtin: true, Permissions: slices.Clone(rbac.All)},
		{Name: RoleViewer, Title: "只读", Builtin: true, Permissions: reads},
	}
}

// EnsureBuiltinRoles creates the built-in roles if missing and brings their
// permissions up to date (admin holds every permission). Changes are audited
// as the context's actor, or as "system".
func (s *Service) EnsureBuiltinRoles(ctx context.Context) error {
	if actor.From(ctx) == nil {
		ctx = actor.With(ctx, actor.SystemActor("system"))
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, want := range builtinRoles() {
			have, ok, err := s.st.roleByName(ctx, want.Name)
			if err != nil {
				return err
			}
			now := s.now()
			switch {
			case !ok:
				if _, err := s.st.insertRole(ctx, want, now); err != nil {
					return err
				}
				err = s.audit.Record(ctx, audit.Entry{Action: "role.create", ObjectType: "role", ObjectID: want.Name,
					Result: audit.Success, Detail: map[string]any{"builtin": true, "permissions": want.Permissions}})
			case !have.Builtin || have.Title != want.Title || !slices.Equal(have.Permissions, want.Permissions):
				want.ID = have.ID
				if err := s.st.updateRole(ctx, want, now); err != nil {
					return err
				}
				err = s.audit.Record(ctx, audit.Entry{Action: "role.update", ObjectType: "role", ObjectID: want.Name,
					Result: audit.Success, Detail: map[string]any{"builtin": true,
						"from": have.Permissions, "to": want.Permissions}})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return dbErr(err, "built-in roles")
}

// Roles lists all roles (any logged-in user with user.read).
func (s *Service) Roles(ctx context.Context) ([]Role, error) {
	if err := rbac.RequireAny(ctx, rbac.UserRead); err != nil {
		return nil, err
	}
	roles, err := s.st.listRoles(ctx)
	return roles, dbErr(err, "list roles")
}

// Role returns a role by name (user.read anywhere).
func (s *Service) Role(ctx context.Context, name string) (Role, error) {
	if err := rbac.RequireAny(ctx, rbac.UserRead); err != nil {
		return Role{}, err
	}
	return s.role(ctx, name)
}

func (s *Service) role(ctx context.Context, name string) (Role, error) {
	r, ok, err := s.st.roleByName(ctx, strings.TrimSpace(name))
	if err != nil {
		return Role{}, dbErr(err, "load role")
	}
	if !ok {
		return Role{}, apperr.NotFoundf("role not found")
	}
	return r, nil
}

// requireRoleAdmin checks role.write over a root of the tree: roles are
// shared by the whole installation, so only its top administrators define them.
func requireRoleAdmin(ctx context.Context) error {
	a, err := writer(ctx)
	if err != nil {
		return err
	}
	if a.System {
		return nil
	}
	for _, g := range a.Grants {
		if g.Perms[rbac.RoleWrite] && strings.Count(g.ScopePath, "/") == 2 {
			return nil
		}
	}
	return apperr.New(apperr.Forbidden, "defining roles needs role.write over the whole city")
}

// checkRole validates a role definition and puts its permissions in the
// order of rbac.All, without duplicates.
func checkRole(in RoleInput) (Role, error) {
	r := Role{Name: strings.ToLower(strings.TrimSpace(in.Name)), Title: strings.TrimSpace(in.Title)}
	fields := apperr.FieldErrors{}
	if !roleNameRe.MatchString(r.Name) {
		fields.Add("name", apperr.RoleName)
	}
	if utf8.RuneCountInString(r.Title) > 32 {
		fields.Add("title", apperr.MaxChars, "n", 32)
	}
	var unknown []string
	for _, p := range in.Permissions {
		if !rbac.Valid(strings.TrimSpace(p)) {
			unknown = append(unknown, p)
		}
	}
	for _, p := range rbac.All {
		if slices.ContainsFunc(in.Permissions, func(q string) bool { return strings.TrimSpace(q) == p }) {
			r.Permissions = append(r.Permissions, p)
		}
	}
	switch {
	case len(unknown) > 0:
		fields.Add("permissions", apperr.UnknownPermissions, "names", strings.Join(unknown, ", "))
	case len(r.Permissions) == 0:
		fields.Add("permissions", apperr.ChoosePermission)
	}
	if len(fields) > 0 {
		return r, fields.Err()
	}
	return r, nil
}

// CreateRole defines a new role (role.write over a root unit).
func (s *Service) CreateRole(ctx context.Context, in RoleInput) (Role, error) {
	if err := requireRoleAdmin(ctx); err != nil {
		return Role{}, err
	}
	r, err := checkRole(in)
	if err != nil {
		return Role{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.st.insertRole(ctx, r, s.now()); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Newf(apperr.Conflict, "role %s already exists", r.Name)
			}
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "role.create", ObjectType: "role", ObjectID: r.Name,
			Result: audit.Success, Detail: map[string]any{"title": r.Title, "permissions": r.Permissions}})
	})
	if err != nil {
		return Role{}, dbErr(err, "create role")
	}
	return s.role(ctx, r.Name)
}

// UpdateRole changes a non-built-in role's title and permissions (role.write).
// Roles are not renamed: in.Name must be empty or name.
func (s *Service) UpdateRole(ctx context.Context, name string, in RoleInput) (Role, error) {
	if err := requireRoleAdmin(ctx); err != nil {
		return Role{}, err
	}
	have, err := s.role(ctx, name)
	if err != nil {
		return Role{}, err
	}
	if have.Builtin {
		return Role{}, apperr.Newf(apperr.Conflict, "built-in role %s cannot be changed", have.Name)
	}
	if n := strings.TrimSpace(in.Name); n != "" && n != have.Name {
		return Role{}, apperr.Field("name", apperr.RoleRename)
	}
	in.Name = have.Name
	r, err := checkRole(in)
	if err != nil {
		return Role{}, err
	}
	r.ID = have.ID
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.st.updateRole(ctx, r, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "role.update", ObjectType: "role", ObjectID: r.Name,
			Result: audit.Success, Detail: map[string]any{"title": r.Title, "from": have.Permissions, "to": r.Permissions}})
	})
	if err != nil {
		return Role{}, dbErr(err, "update role")
	}
	return s.role(ctx, r.Name)
}

// DeleteRole deletes a non-built-in role no grant uses (role.write).
func (s *Service) DeleteRole(ctx context.Context, name string) error {
	if err := requireRoleAdmin(ctx); err != nil {
		return err
	}
	have, err := s.role(ctx, name)
	if err != nil {
		return err
	}
	if have.Builtin {
		return apperr.Newf(apperr.Conflict, "built-in role %s cannot be deleted", have.Name)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.st.roleGrantCount(ctx, have.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Newf(apperr.Conflict, "role %s is still granted %d times", have.Name, n)
		}
		if err := s.st.deleteRole(ctx, have.ID); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.Newf(apperr.Conflict, "role %s is still granted", have.Name)
			}
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "role.delete", ObjectType: "role", ObjectID: have.Name,
			Result: audit.Success, Detail: map[string]any{"permissions": have.Permissions}})
	})
	return dbErr(err, "delete role")
}

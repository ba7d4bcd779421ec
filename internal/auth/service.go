package auth

import (
	"context"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// TODO(auth helper): replace every errTodo body with the real implementation.
var errTodo = apperr.New(apperr.Internal, "not implemented yet")

// Units is what auth needs from the organisation: where a unit sits in the tree.
type Units interface {
	UnitPath(ctx context.Context, code string) (string, error)
}

// Service holds accounts, sessions and roles.
type Service struct {
	db    *db.DB
	audit *audit.Log
	clock clock.Clock
	units Units
	opts  Options
}

// NewService returns the auth service.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, units Units, opts Options) *Service {
	return &Service{db: d, audit: log, clock: clk, units: units, opts: opts}
}

// EnsureBuiltinRoles creates the built-in roles if missing and brings their
// permissions up to date (admin holds every permission).
func (s *Service) EnsureBuiltinRoles(ctx context.Context) error { return errTodo }

// Login checks a password and opens a session of kind KindWeb or KindAPI.
// Errors: unauthenticated (wrong name or password, same for both), locked
// (reason account_locked, after MaxFailures in FailureWindow, for LockFor),
// too_many_requests (per-address limit). Every attempt is audited.
func (s *Service) Login(ctx context.Context, username, password, kind string) (Session, error) {
	return Session{}, errTodo
}

// Authenticate turns a session token into an actor, enforcing idle and
// absolute timeouts (unauthenticated, reason session_expired) and disabled users.
func (s *Service) Authenticate(ctx context.Context, token, kind string) (*actor.Actor, Session, error) {
	return nil, Session{}, errTodo
}

// Logout ends the session of token.
func (s *Service) Logout(ctx context.Context, token string) error { return errTodo }

// User returns a user whose home unit is in scope (user.read).
func (s *Service) User(ctx context.Context, id int64) (User, error) { return User{}, errTodo }

// UserByName returns a user by login name, without permission checks (CLI).
func (s *Service) UserByName(ctx context.Context, username string) (User, error) {
	return User{}, errTodo
}

// Users lists users in scope (user.read).
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, int, error) {
	return nil, 0, errTodo
}

// CreateUser creates a user (user.write over the home unit and each grant
// scope; a grant may not give permissions the actor lacks there).
func (s *Service) CreateUser(ctx context.Context, in UserInput) (User, error) { return User{}, errTodo }

// UpdateUser changes a user (user.write); disabling ends their sessions.
func (s *Service) UpdateUser(ctx context.Context, id int64, u UserUpdate) (User, error) {
	return User{}, errTodo
}

// SetPassword sets a user's password (user.write) and ends their sessions.
func (s *Service) SetPassword(ctx context.Context, id int64, password string) error { return errTodo }

// ChangeOwnPassword changes the actor's own password after checking the old one.
func (s *Service) ChangeOwnPassword(ctx context.Context, oldPassword, newPassword string) error {
	return errTodo
}

// AddGrant grants a role over a scope to a user (user.write).
func (s *Service) AddGrant(ctx context.Context, userID int64, g GrantInput) (Grant, error) {
	return Grant{}, errTodo
}

// RemoveGrant removes a grant from a user (user.write).
func (s *Service) RemoveGrant(ctx context.Context, userID, grantID int64) error { return errTodo }

// Roles lists all roles (any logged-in user with user.read).
func (s *Service) Roles(ctx context.Context) ([]Role, error) { return nil, errTodo }

// Role returns a role by name.
func (s *Service) Role(ctx context.Context, name string) (Role, error) { return Role{}, errTodo }

// CreateRole defines a new role (role.write over a root unit).
func (s *Service) CreateRole(ctx context.Context, in RoleInput) (Role, error) { return Role{}, errTodo }

// UpdateRole changes a non-built-in role's title and permissions (role.write).
func (s *Service) UpdateRole(ctx context.Context, name string, in RoleInput) (Role, error) {
	return Role{}, errTodo
}

// DeleteRole deletes a non-built-in role no grant uses (role.write).
func (s *Service) DeleteRole(ctx context.Context, name string) error { return errTodo }

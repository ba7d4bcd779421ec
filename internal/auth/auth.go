// Package auth holds accounts and access: users tied to staff and a home
// unit, argon2id passwords, login with lockout, browser sessions and bearer
// API tokens, roles as named sets of permissions, and grants of a role over
// an org subtree. It turns a session token into an actor.
package auth

import "time"

// Session kinds.
const (
	KindWeb = "web"
	KindAPI = "api"
)

// User is an account.
type User struct {
	ID                int64     `json:"id"`
	Username          string    `json:"username"`
	DisplayName       string    `json:"display_name"`
	StaffID           *int64    `json:"staff_id,omitempty"`
	UnitCode          string    `json:"unit_code"`
	UnitName          string    `json:"unit_name,omitempty"`
	Disabled          bool      `json:"disabled"`
	Grants            []Grant   `json:"grants"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Grant is a role held over an org subtree.
type Grant struct {
	ID        int64  `json:"id"`
	Role      string `json:"role"`
	ScopeCode string `json:"scope_code"`
	ScopeName string `json:"scope_name,omitempty"`
}

// GrantInput grants a role over a scope (a unit code).
type GrantInput struct {
	Role      string `json:"role"`
	ScopeCode string `json:"scope_code"`
}

// UserInput creates a user. Without grants the user can log in but do nothing.
type UserInput struct {
	Username    string       `json:"username"`
	DisplayName string       `json:"display_name"`
	Password    string       `json:"password"`
	UnitCode    string       `json:"unit_code"`
	StaffID     *int64       `json:"staff_id"`
	Grants      []GrantInput `json:"grants"`
}

// UserUpdate changes a user; nil fields stay.
type UserUpdate struct {
	DisplayName *string `json:"display_name"`
	UnitCode    *string `json:"unit_code"`
	StaffID     *int64  `json:"staff_id"`
	Disabled    *bool   `json:"disabled"`
}

// UserFilter selects users whose home unit is within the actor's scope.
type UserFilter struct {
	UnitCode string // users of this unit and below
	Q        string
	Limit    int
	Offset   int
}

// Role is a named set of permissions.
type Role struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	Builtin     bool      `json:"builtin"`
	Permissions []string  `json:"permissions"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// RoleInput creates or replaces a role's definition.
type RoleInput struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Permissions []string `json:"permissions"`
}

// Session is what a successful login returns. Token is shown once; only its
// hash is stored.
type Session struct {
	Token     string    `json:"token"`
	CSRFToken string    `json:"-"`
	Kind      string    `json:"kind"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

// Options are the account and session policies.
type Options struct {
	// IdleTimeout ends a session after this long without a request (30 min).
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after login (12 h).
	AbsoluteTimeout time.Duration
	// MaxFailures failed logins within FailureWindow lock the account for LockFor.
	MaxFailures   int
	FailureWindow time.Duration
	LockFor       time.Duration
	// MaxIPFailures failed logins from one address within FailureWindow
	// refuse further attempts from it (429).
	MaxIPFailures int
	// PasswordPolicy is "mlps3" (≥12 characters, 3 of 4 classes) or "basic" (≥8).
	PasswordPolicy string
	// Argon2Memory (KiB), Argon2Time (passes) and Argon2Threads are the cost
	// of new password hashes; stored hashes keep the cost they were made with.
	Argon2Memory  uint32
	Argon2Time    uint32
	Argon2Threads uint8
}

// DefaultOptions returns the policies of the security reference.
func DefaultOptions() Options {
	return Options{
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour,
		MaxFailures: 5, FailureWindow: 15 * time.Minute, LockFor: 30 * time.Minute,
		MaxIPFailures: 20, PasswordPolicy: "mlps3",
		Argon2Memory: 64 * 1024, Argon2Time: 2, Argon2Threads: 2,
	}
}

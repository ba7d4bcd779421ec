// Package actor carries who is acting, and from where, in the context.
package actor

import (
	"context"
	"sort"
	"strings"
)

// Grant is one role held over one org subtree.
type Grant struct {
	Role      string          `json:"role"`
	ScopeCode string          `json:"scope_code"`
	ScopePath string          `json:"-"`
	Perms     map[string]bool `json:"-"`
}

// Actor is the user behind a request or command.
type Actor struct {
	UserID   int64
	Username string
	UnitCode string
	// StaffID is the staff member the user is, 0 when none.
	StaffID int64
	Grants  []Grant
	// System marks the platform itself acting (CLI, seed, scheduler): it
	// passes every permission check and is audited as "system".
	System bool
	// SessionKind is "web" or "api" for a logged-in user.
	SessionKind string
}

// SystemActor returns the platform acting on its own behalf, named for the audit log.
func SystemActor(name string) *Actor { return &Actor{Username: name, System: true} }

// RoleNames returns the distinct role names of the actor, sorted and comma-joined.
func (a *Actor) RoleNames() string {
	if a == nil {
		return ""
	}
	if a.System {
		return "system"
	}
	seen := map[string]bool{}
	var out []string
	for _, g := range a.Grants {
		if !seen[g.Role] {
			seen[g.Role] = true
			out = append(out, g.Role)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

type actorKey struct{}
type metaKey struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// From returns the actor of ctx, or nil.
func From(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// Meta is what is known of the request behind a call, for the audit log.
type Meta struct {
	IP        string
	RequestID string
	UserAgent string
}

// WithMeta returns ctx carrying m.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the request meta of ctx (zero when none).
func MetaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}

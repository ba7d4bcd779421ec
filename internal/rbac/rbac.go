// Package rbac defines the permissions and decides, for an actor, whether a
// permission holds over an object that lives at an org path. A grant's scope
// is an org subtree: it covers a unit whose path starts with the scope's path.
package rbac

import (
	"context"
	"sort"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
)

// Permission names an action on a kind of object.
type Permission = string

// The foundation's permissions. Later modules add theirs to All.
const (
	OrgRead    Permission = "org.read"
	OrgWrite   Permission = "org.write"
	GridRead   Permission = "grid.read"
	GridWrite  Permission = "grid.write"
	StaffRead  Permission = "staff.read"
	StaffWrite Permission = "staff.write"
	UserRead   Permission = "user.read"
	UserWrite  Permission = "user.write"
	RoleWrite  Permission = "role.write"
	AuditRead  Permission = "audit.read"
)

// The case loop's, calendar's and attachments' permissions; their packages
// declare the same names as constants of their own.
const (
	CaseRead        Permission = "case.read"
	CaseCreate      Permission = "case.create"
	CaseDispatch    Permission = "case.dispatch"
	CaseHandle      Permission = "case.handle"
	CaseSupervise   Permission = "case.supervise"
	CategoryWrite   Permission = "category.write"
	CalendarWrite   Permission = "calendar.write"
	AttachmentRead  Permission = "attachment.read"
	AttachmentWrite Permission = "attachment.upload"
)

// The registry's (base data) permissions. Unmasking and key groups are
// deliberately not ".read" names: the built-in viewer role, which holds
// every read permission, gets neither.
const (
	RegistryRead     Permission = "registry.read"
	RegistryWrite    Permission = "registry.write"
	RegistryImport   Permission = "registry.import"
	RegistryExport   Permission = "registry.export"
	RegistryUnmask   Permission = "registry.unmask"
	RegistryKeyGroup Permission = "registry.keygroup"
	// RegistryExportApprove lets a second person approve an export above
	// the approval threshold, over the requester's unit (PRIV-4, PRIV-10).
	RegistryExportApprove Permission = "registry.export_approve"
)

// Citizen intake and Open311 (issue 6).
const (
	// CaseModerate lets staff hide or redact the public text and media of
	// citizen reports in their scope.
	CaseModerate Permission = "case.moderate"
	// CaseContact lets staff unseal the contact (name, phone, email) of a
	// citizen report in their scope, with a reason, audited.
	CaseContact Permission = "case.contact"
	// APIKeyManage lets an administrator issue and revoke Open311 API keys.
	APIKeyManage Permission = "apikey.manage"
)

// JobsManage lets an administrator see the background jobs and their runs
// and ask for a run now; held over the whole city (a root unit), since a
// job's work is the installation's.
const JobsManage Permission = "jobs.manage"

// All lists every permission, in display order.
var All = []Permission{OrgRead, OrgWrite, GridRead, GridWrite, StaffRead, StaffWrite,
	UserRead, UserWrite, RoleWrite, AuditRead,
	CaseRead, CaseCreate, CaseDispatch, CaseHandle, CaseSupervise, CategoryWrite, CalendarWrite,
	AttachmentRead, AttachmentWrite,
	RegistryRead, RegistryWrite, RegistryImport, RegistryExport, RegistryUnmask, RegistryKeyGroup,
	RegistryExportApprove, CaseModerate, CaseContact, APIKeyManage, JobsManage}

// Valid reports whether p is a known permission.
func Valid(p Permission) bool {
	for _, q := range All {
		if q == p {
			return true
		}
	}
	return false
}

// Covers reports whether scopePath covers objectPath (same unit or below).
func Covers(scopePath, objectPath string) bool {
	return scopePath != "" && strings.HasPrefix(objectPath, scopePath)
}

// Can reports whether a holds perm over an object at path.
func Can(a *actor.Actor, perm Permission, path string) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		if g.Perms[perm] && Covers(g.ScopePath, path) {
			return true
		}
	}
	return false
}

// HasAnywhere reports whether a holds perm over any scope.
func HasAnywhere(a *actor.Actor, perm Permission) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		if g.Perms[perm] {
			return true
		}
	}
	return false
}

// Require checks perm over an object at path: an actor without the
// permission anywhere is forbidden; one who has it but not over this object
// gets not_found, exactly as for an object that does not exist.
func Require(ctx context.Context, perm Permission, path string) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if Can(a, perm, path) {
		return nil
	}
	if !HasAnywhere(a, perm) {
		return apperr.Newf(apperr.Forbidden, "permission %s required", perm)
	}
	return apperr.New(apperr.NotFound, "not found")
}

// RequireAny checks that the actor holds perm over some scope.
func RequireAny(ctx context.Context, perm Permission) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if !HasAnywhere(a, perm) {
		return apperr.Newf(apperr.Forbidden, "permission %s required", perm)
	}
	return nil
}

// Scope is the set of org subtrees where an actor holds a permission, used
// to filter lists. All is true for the system actor.
type Scope struct {
	All   bool
	Paths []string
}

// ScopeOf returns the minimal set of subtree paths where a holds perm.
func ScopeOf(a *actor.Actor, perm Permission) Scope {
	if a == nil {
		return Scope{}
	}
	if a.System {
		return Scope{All: true}
	}
	var paths []string
	for _, g := range a.Grants {
		if g.Perms[perm] && g.ScopePath != "" {
			paths = append(paths, g.ScopePath)
		}
	}
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue // covered by a shorter path
		}
		out = append(out, p)
	}
	return Scope{Paths: out}
}

// Empty reports whether the scope covers nothing.
func (s Scope) Empty() bool { return !s.All && len(s.Paths) == 0 }

// Covers reports whether the scope covers path.
func (s Scope) Covers(path string) bool {
	if s.All {
		return true
	}
	for _, p := range s.Paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// SQL returns a condition on the path column col restricting rows to the
// scope, with its arguments: "1=1" for all, "1=0" for none.
func (s Scope) SQL(col string) (string, []any) {
	if s.All {
		return "1=1", nil
	}
	if len(s.Paths) == 0 {
		return "1=0", nil
	}
	parts := make([]string, len(s.Paths))
	args := make([]any, len(s.Paths))
	for i, p := range s.Paths {
		// Paths hold only code characters and '/', so no LIKE escaping is needed.
		parts[i] = col + " LIKE ?"
		args[i] = p + "%"
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

package registry

import (
	"gridgov/internal/actor"
	"gridgov/internal/rbac"
)

// The person-visibility rule, written once: an actor sees a person when
// they hold registry.read over the person's unit path and, for a key-group
// person (重点人群), registry.keygroup there too. CanSeePerson answers it in
// Go for one person; PersonVisibleSQL is its SQL twin for a list over the
// people table. Every list, search, map layer and export that shows
// people, the occupants of a house or the members of a group applies one
// of the two (TestPersonVisibilityTwins checks that they agree).

// CanSeePerson reports whether a may see a person whose unit path is path.
func CanSeePerson(a *actor.Actor, path string, keyGroup bool) bool {
	return rbac.Can(a, PermRead, path) && KeyGroupAllows(a, path, keyGroup)
}

// KeyGroupAllows is the key-group half of the rule, for a caller that has
// already checked another permission over the person's path (write,
// import, unmask): a key-group person also needs registry.keygroup.
func KeyGroupAllows(a *actor.Actor, path string, keyGroup bool) bool {
	return !keyGroup || rbac.Can(a, PermKeyGroup, path)
}

// PersonVisibleSQL is the SQL twin of CanSeePerson: a condition, with its
// arguments, on a people row aliased alias (its unit_path and key_group).
func PersonVisibleSQL(a *actor.Actor, alias string) (string, []any) {
	read, args := rbac.ScopeOf(a, PermRead).SQL(alias + ".unit_path")
	kg, kargs := KeyGroupSQL(a, alias)
	return read + " AND " + kg, append(args, kargs...)
}

// KeyGroupSQL is the SQL twin of KeyGroupAllows on a people row aliased
// alias.
func KeyGroupSQL(a *actor.Actor, alias string) (string, []any) {
	kg, args := rbac.ScopeOf(a, PermKeyGroup).SQL(alias + ".unit_path")
	return "(" + alias + ".key_group = ? OR " + kg + ")", append([]any{false}, args...)
}

// Package orgdir is how other modules ask about org units, grids and staff,
// whose tables (org_units, grids, staff, staff_grids) internal/org owns. A
// module either calls a Directory method, or embeds in its own query an SQL
// expression built here (PathOf, NameOf, InScope), so that the text naming
// org's tables and columns stays in the org module. It sits below org (it
// imports only db and rbac), so audit, which org itself uses, may call it.
package orgdir

import (
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// Directory answers read-only questions about units, grids and staff. It
// joins the transaction in the context, like every store.
type Directory struct{ db *db.DB }

// New returns the directory over d.
func New(d *db.DB) Directory { return Directory{db: d} }

// Unit is an org unit as other modules see it.
type Unit struct {
	Code, Name, Level, Kind string
	Parent                  string // "" for a root
	Path                    string
}

// GridUnit is a grid with the unit it belongs to.
type GridUnit struct {
	Grid  string
	Level int // 1–3
	Unit  Unit
}

// PathOf is an SQL expression for the path of the unit whose code is in
// column col (NULL when there is none).
func PathOf(col string) string {
	return "(SELECT path FROM org_units WHERE code = " + col + ")"
}

// NameOf is an SQL expression for the name of the unit whose code is in
// column col (NULL when there is none).
func NameOf(col string) string {
	return "(SELECT name FROM org_units WHERE code = " + col + ")"
}

// InScope is an SQL condition, with its arguments, that the unit whose code
// is in column col lies within scope.
func InScope(scope rbac.Scope, col string) (string, []any) {
	if scope.All {
		return "1=1", nil
	}
	if scope.Empty() {
		return "1=0", nil
	}
	cond, args := scope.SQL("path")
	return col + " IN (SELECT code FROM org_units WHERE " + cond + ")", args
}

// Covers is an SQL condition, with its argument, that the unit whose code
// is in column col lies at or above the unit with code unit (its path is a
// prefix of that unit's path).
func Covers(col, unit string) (string, []any) {
	return "EXISTS (SELECT 1 FROM org_units cu, org_units fu WHERE cu.code = " + col +
		" AND fu.code = ? AND fu.path LIKE cu.path || '%')", []any{unit}
}

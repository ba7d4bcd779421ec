// Package org keeps the organisation of a city: the tree of territory units
// (city → district → street → community) with their departments and
// offices, the three levels of grids bound to units, and the staff who work
// them. Every object lives at an org path, which is what scope checks use.
package org

import (
	"encoding/json"
	"time"
)

// Level is a unit's place in the four-level platform.
type Level string

// The four levels.
const (
	City      Level = "city"
	District  Level = "district"
	Street    Level = "street"
	Community Level = "community"
)

// Levels lists the levels from top to bottom.
var Levels = []Level{City, District, Street, Community}

// Kind tells a territory unit (with its platform) from a department or an office.
type Kind string

// The kinds of unit.
const (
	Territory  Kind = "territory"
	Department Kind = "department"
	Office     Kind = "office"
)

// Unit is one org unit. Departments and offices carry the level of the
// territory they serve (a 市直部门 is city level, a 区直部门 district level).
type Unit struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Level      Level     `json:"level"`
	Kind       Kind      `json:"kind"`
	ParentCode string    `json:"parent_code"`
	Path       string    `json:"-"`
	Sort       int       `json:"sort"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// DescendantCounts maps a level name (district, street, community) to the
	// number of territory units of that level below this one; set by Unit.
	DescendantCounts map[string]int `json:"descendant_counts,omitempty"`
	// ChildCount is the number of direct children; set in lists.
	ChildCount int `json:"child_count"`
}

// UnitInput creates a unit.
type UnitInput struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      Level  `json:"level"`
	Kind       Kind   `json:"kind"`
	ParentCode string `json:"parent_code"`
	Sort       int    `json:"sort"`
}

// UnitUpdate changes a unit; nil fields stay.
type UnitUpdate struct {
	Name *string `json:"name"`
	Sort *int    `json:"sort"`
}

// UnitFilter selects units within the actor's scope.
type UnitFilter struct {
	ParentCode string // direct children of this unit
	Under      string // anywhere below this unit
	Level      Level
	Kind       Kind
	Q          string // name or code contains
	Limit      int    // default 100, at most 1000
	Offset     int
}

// ImportResult counts what an import of units did, per level.
type ImportResult struct {
	Created   map[Level]int `json:"created"`
	Updated   map[Level]int `json:"updated"`
	Unchanged map[Level]int `json:"unchanged"`
}

// Grid is a management grid (网格) of level 1–3 bound to a unit.
type Grid struct {
	ID             int64           `json:"id"`
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Level          int             `json:"level"`
	UnitCode       string          `json:"unit_code"`
	UnitName       string          `json:"unit_name,omitempty"`
	ParentGridCode string          `json:"parent_grid_code,omitempty"`
	Boundary       json.RawMessage `json:"boundary,omitempty"`
	BoundarySource string          `json:"boundary_source,omitempty"`
	StaffCount     int             `json:"staff_count"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// GridInput creates a grid. Boundary, when given, is a GeoJSON Polygon or
// MultiPolygon geometry (or a Feature holding one).
type GridInput struct {
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Level          int             `json:"level"`
	UnitCode       string          `json:"unit_code"`
	ParentGridCode string          `json:"parent_grid_code"`
	Boundary       json.RawMessage `json:"boundary"`
	BoundarySource string          `json:"boundary_source"`
}

// GridUpdate changes a grid; nil fields stay. An empty JSON boundary
// ("null") removes it.
type GridUpdate struct {
	Name           *string          `json:"name"`
	Boundary       *json.RawMessage `json:"boundary"`
	BoundarySource *string          `json:"boundary_source"`
}

// GridFilter selects grids within the actor's scope.
type GridFilter struct {
	UnitCode string // grids of this unit and below
	Level    int
	Q        string
	Limit    int
	Offset   int
	// WithBoundary includes the boundary polygons, which lists leave out
	// by default because they can be large.
	WithBoundary bool
}

// Team is one of the "three teams" a staff member may belong to.
type Team string

// The teams.
const (
	NoTeam     Team = ""
	Deployed   Team = "deployed"    // 下沉人员
	MassWork   Team = "masswork"    // 群众工作队
	GridLeader Team = "grid_leader" // 网格长
)

// Staff is a person working for a unit, possibly responsible for grids.
type Staff struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	Position  string    `json:"position"`
	UnitCode  string    `json:"unit_code"`
	UnitName  string    `json:"unit_name,omitempty"`
	Team      Team      `json:"team"`
	Active    bool      `json:"active"`
	GridCodes []string  `json:"grid_codes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StaffInput creates a staff member.
type StaffInput struct {
	Name      string   `json:"name"`
	Phone     string   `json:"phone"`
	Position  string   `json:"position"`
	UnitCode  string   `json:"unit_code"`
	Team      Team     `json:"team"`
	GridCodes []string `json:"grid_codes"`
}

// StaffUpdate changes a staff member; nil fields stay.
type StaffUpdate struct {
	Name      *string   `json:"name"`
	Phone     *string   `json:"phone"`
	Position  *string   `json:"position"`
	UnitCode  *string   `json:"unit_code"`
	Team      *Team     `json:"team"`
	Active    *bool     `json:"active"`
	GridCodes *[]string `json:"grid_codes"`
}

// StaffFilter selects staff within the actor's scope.
type StaffFilter struct {
	UnitCode string // staff of this unit and below
	GridCode string
	Team     Team
	Q        string
	// Active, when set, keeps only active (true) or inactive (false) staff.
	Active *bool
	Limit  int
	Offset int
}

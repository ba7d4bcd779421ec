// Package places keeps the places and things of the territory: houses and
// their occupants (实有房屋, 出租房屋), organisations (enterprises, legal
// entities, non-public economic and social organisations), city components
// (部件) with their 16-digit object codes, and thematic rosters (service
// points, volunteers, activists, building heads). Each record is bound to a
// grid through registry.Service.Territory and scoped like every record.
package places

import (
	"time"

	"gridgov/internal/registry"
)

// House is a house or room of the actual housing stock (实有房屋).
type House struct {
	ID         int64             `json:"id"`
	Code       string            `json:"code"`
	Address    string            `json:"address"`
	Building   string            `json:"building"`
	Entrance   string            `json:"entrance"`
	Room       string            `json:"room"`
	Use        string            `json:"use"` // residential | commercial | office | mixed | vacant
	Rented     bool              `json:"rented"`
	Area       *float64          `json:"area,omitempty"`
	OwnerID    *int64            `json:"owner_id,omitempty"`
	Lat        *float64          `json:"lat,omitempty"`
	Lng        *float64          `json:"lng,omitempty"`
	GridCode   string            `json:"grid_code"`
	UnitCode   string            `json:"unit_code"`
	Occupants  []Occupant        `json:"occupants,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
	Source     registry.Source   `json:"source"`
	VerifiedAt *time.Time        `json:"verified_at,omitempty"`
	Version    int               `json:"version"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Occupant is a person's tie to a house.
type Occupant struct {
	PersonID  int64  `json:"person_id"`
	Name      string `json:"name"`
	Role      string `json:"role"` // owner | tenant | resident
	StartedOn string `json:"started_on,omitempty"`
}

// Organisation is an enterprise, legal entity, non-public economic
// organisation or social organisation.
type Organisation struct {
	ID         int64             `json:"id"`
	Kind       string            `json:"kind"` // enterprise | legal_entity | non_public | social
	Name       string            `json:"name"`
	USCC       string            `json:"uscc"` // 统一社会信用代码 (GB 32100)
	LegalRep   string            `json:"legal_rep"`
	Phone      string            `json:"phone"` // masked
	Industry   string            `json:"industry"`
	Employees  *int              `json:"employees,omitempty"`
	Address    string            `json:"address"`
	HouseID    *int64            `json:"house_id,omitempty"`
	Lat        *float64          `json:"lat,omitempty"`
	Lng        *float64          `json:"lng,omitempty"`
	GridCode   string            `json:"grid_code"`
	UnitCode   string            `json:"unit_code"`
	Extra      map[string]string `json:"extra,omitempty"`
	Source     registry.Source   `json:"source"`
	VerifiedAt *time.Time        `json:"verified_at,omitempty"`
	Version    int               `json:"version"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Component is a city component (部件) with its 16-digit object code.
type Component struct {
	ID           int64           `json:"id"`
	ObjectCode   string          `json:"object_code"`
	CategoryCode string          `json:"category_code"`
	Name         string          `json:"name"`
	Status       string          `json:"status"` // intact | damaged | lost | removed
	OwnerDept    string          `json:"owner_dept"`
	Address      string          `json:"address"`
	Lat          *float64        `json:"lat,omitempty"`
	Lng          *float64        `json:"lng,omitempty"`
	GridCode     string          `json:"grid_code"`
	UnitCode     string          `json:"unit_code"`
	Source       registry.Source `json:"source"`
	VerifiedAt   *time.Time      `json:"verified_at,omitempty"`
	Version      int             `json:"version"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// RosterEntry is one line of a thematic roster: a business or social
// service point, a volunteer, a community activist, a building head
// (楼栋长) …
type RosterEntry struct {
	ID         int64           `json:"id"`
	Roster     string          `json:"roster"` // see Rosters
	Name       string          `json:"name"`
	PersonID   *int64          `json:"person_id,omitempty"`
	HouseID    *int64          `json:"house_id,omitempty"`
	Role       string          `json:"role"`
	Note       string          `json:"note"`
	Address    string          `json:"address"`
	Lat        *float64        `json:"lat,omitempty"`
	Lng        *float64        `json:"lng,omitempty"`
	GridCode   string          `json:"grid_code"`
	UnitCode   string          `json:"unit_code"`
	Active     bool            `json:"active"`
	Source     registry.Source `json:"source"`
	VerifiedAt *time.Time      `json:"verified_at,omitempty"`
	Version    int             `json:"version"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// Package registry keeps the base data of the territory (人、地、事、物、组织):
// people and households, houses and their occupants, organisations, city
// components, special and key groups with their follow-up visits, thematic
// rosters, and the versioned code tables their fields use. Every record is
// bound to a grid — and so to its community, street and district — or,
// when its source did not know the grid, to the unit that brought it in,
// awaiting grid assignment (待分配网格).
//
// Personal identifiers (ID-card numbers, phones) are stored only encrypted
// with SM4-GCM, found through a keyed HMAC-SM3 blind index, and shown
// masked; the full value is given to a user whose role may unmask, one
// record at a time, and every unmasking and every view of a key-group
// person is audited. Key-group records need registry.keygroup on top of
// scope. Who was shown which person — detail views, exact identifier hits,
// group members in lists, unmaskings, exports — is kept in person_access
// (access.go); exact identifier searches and distinct people looked up are
// limited per user and hour, with alerts for auditors (alerts.go). Lists
// show birth years and building-level addresses only (mask.go).
package registry

import (
	"context"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/seal"
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// The registry's permissions (see rbac).
const (
	PermRead     rbac.Permission = rbac.RegistryRead
	PermWrite    rbac.Permission = rbac.RegistryWrite
	PermImport   rbac.Permission = rbac.RegistryImport
	PermExport   rbac.Permission = rbac.RegistryExport
	PermUnmask   rbac.Permission = rbac.RegistryUnmask
	PermKeyGroup rbac.Permission = rbac.RegistryKeyGroup
)

// Source tells where a record came from (数据来源).
type Source string

// The sources: the city's base libraries (population, legal entities,
// geography), data shared by departments, and the platform's own
// collection in the field.
const (
	SourceBase   Source = "base"
	SourceShared Source = "shared"
	SourceOwn    Source = "own"
)

// ValidSource reports whether s is one of the sources.
func ValidSource(s Source) bool { return s == SourceBase || s == SourceShared || s == SourceOwn }

// Blind-index kinds: the index of a value is keyed by its field.
const (
	IdxID    = "id"
	IdxPhone = "phone"
)

// Locator finds the third-level grid containing a point (the geo index).
type Locator interface {
	Locate(ctx context.Context, lat, lng float64) (grid string, ok bool, err error)
}

// Service is the registry's domain service.
type Service struct {
	db      *db.DB
	audit   *audit.Log
	clock   clock.Clock
	seal    *seal.Sealer
	locator Locator
	units   orgdir.Directory // org units and grids, which the org module answers
	cases   CaseLookup       // see WithCases (personcases.go); nil: no case links shown
	limits  AccessLimits     // hourly lookup limits (access.go)
}

// Option gives the service one of its optional settings or collaborators
// at construction.
type Option func(*Service)

// WithCases lets a person's page list the cases that concern them, as the
// actor sees them; without it no case links are shown.
func WithCases(c CaseLookup) Option { return func(s *Service) { s.cases = c } }

// WithAccessLimits sets the hourly limits; a field left 0 keeps its default.
func WithAccessLimits(l AccessLimits) Option {
	return func(s *Service) {
		if l.LookupsPerHour > 0 {
			s.limits.LookupsPerHour = l.LookupsPerHour
		}
		if l.PeoplePerHour > 0 {
			s.limits.PeoplePerHour = l.PeoplePerHour
		}
	}
}

// NewService returns the registry service. seal holds the keys of the
// personal identifiers; locator (may be nil) places records with
// coordinates in their grid.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, sealer *seal.Sealer, locator Locator, opts ...Option) *Service {
	s := &Service{db: d, audit: log, clock: clk, seal: sealer, locator: locator, units: orgdir.New(d),
		limits: AccessLimits{LookupsPerHour: DefaultLookupsPerHour, PeoplePerHour: DefaultPeoplePerHour}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Sealer returns the service's sealer (for the import path and tests).
func (s *Service) Sealer() *seal.Sealer { return s.seal }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// Person is a person of the actual population (实有人口). IDNumber and
// Phone are masked unless the person was unmasked on purpose.
type Person struct {
	ID           int64             `json:"id"`
	IDType       string            `json:"id_type"` // resident_id | passport | other
	IDNumber     string            `json:"id_number"`
	Name         string            `json:"name"`
	Gender       string            `json:"gender"`     // GB/T 2261.1: 1 male, 2 female, 0/9 unknown
	BirthDate    string            `json:"birth_date"` // YYYY-MM-DD
	Phone        string            `json:"phone"`
	Nation       string            `json:"nation"`      // GB/T 3304 ethnic group code
	Nationality  string            `json:"nationality"` // GB/T 2659 alpha-3
	Education    string            `json:"education"`   // GB/T 4658
	Marital      string            `json:"marital"`     // GB/T 2261.2
	Political    string            `json:"political"`   // GB/T 4762
	PersonType   string            `json:"person_type"` // registered | migrant | foreign | left_behind
	HukouAddress string            `json:"hukou_address"`
	Address      string            `json:"address"`
	Workplace    string            `json:"workplace"`
	HouseholdID  *int64            `json:"household_id,omitempty"`
	HouseID      *int64            `json:"house_id,omitempty"`
	GridCode     string            `json:"grid_code"` // "" while awaiting grid assignment
	UnitCode     string            `json:"unit_code"`
	AwaitingGrid bool              `json:"awaiting_grid"`
	KeyGroup     bool              `json:"key_group"`
	Extra        map[string]string `json:"extra,omitempty"`
	Source       Source            `json:"source"`
	SourceRef    string            `json:"source_ref,omitempty"`
	VerifiedAt   *time.Time        `json:"verified_at,omitempty"`
	VerifiedBy   *int64            `json:"verified_by,omitempty"`
	Version      int               `json:"version"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	// Masked is false only in an explicit unmasking answer.
	Masked bool `json:"masked"`

	unitPath string
}

// PersonInput creates or updates a person; IDNumber and Phone are plain
// here and sealed on write. Empty GridCode with coordinates or an address
// that resolves places the person; otherwise UnitCode (the importing or
// creating unit) holds them awaiting a grid.
type PersonInput struct {
	IDType       string            `json:"id_type"`
	IDNumber     string            `json:"id_number"`
	Name         string            `json:"name"`
	Gender       string            `json:"gender"`
	BirthDate    string            `json:"birth_date"`
	Phone        string            `json:"phone"`
	Nation       string            `json:"nation"`
	Nationality  string            `json:"nationality"`
	Education    string            `json:"education"`
	Marital      string            `json:"marital"`
	Political    string            `json:"political"`
	PersonType   string            `json:"person_type"`
	HukouAddress string            `json:"hukou_address"`
	Address      string            `json:"address"`
	Workplace    string            `json:"workplace"`
	GridCode     string            `json:"grid_code"`
	UnitCode     string            `json:"unit_code"`
	Extra        map[string]string `json:"extra"`
	Source       Source            `json:"source"`
	SourceRef    string            `json:"source_ref"`
	// Version is the optimistic lock on update (0 skips the check).
	Version int `json:"version"`
}

// PeopleFilter selects people. IDNumber and Phone match exactly (through
// the blind index); Name matches a prefix; Address a substring.
type PeopleFilter struct {
	IDNumber     string
	Phone        string
	Name         string
	Address      string
	GridCode     string
	UnitCode     string // the unit's subtree
	GroupKind    string
	PersonType   string
	AwaitingGrid bool
	KeyGroupOnly bool
	Limit        int
	Offset       int
}

// Household is a household (户) with its members.
type Household struct {
	ID           int64             `json:"id"`
	Number       string            `json:"number"` // 户号
	Kind         string            `json:"kind"`   // family | collective
	HeadPersonID *int64            `json:"head_person_id,omitempty"`
	Address      string            `json:"address"`
	HouseID      *int64            `json:"house_id,omitempty"`
	GridCode     string            `json:"grid_code"`
	UnitCode     string            `json:"unit_code"`
	Members      []HouseholdMember `json:"members"`
	Source       Source            `json:"source"`
	VerifiedAt   *time.Time        `json:"verified_at,omitempty"`
	Version      int               `json:"version"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// HouseholdMember is one person of a household and their relation to the
// head (GB/T 4761 code).
type HouseholdMember struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Relation string `json:"relation"`
}

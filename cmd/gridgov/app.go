package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/blob"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/clock"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/idem"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
)

// app is the wired platform: database, services and clock, shared by every
// subcommand.
type app struct {
	cfg      *config.Config
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Log
	org      *org.Service
	calendar *calendar.Service
	blobs    *blob.Service
	cases    *cases.Service
	auth     *auth.Service
	registry *registry.Service
	places   *places.Service
	groups   *groups.Service
	geo      *atlas.Service // boundaries, geofences, point → grid
	locator  *geo.FreshLocator
	replay   *idem.Service    // answers replayed to retried writes
	citizen  *citizen.Service // public intake, Open311 and API keys
	log      *slog.Logger
}

// openApp validates cfg, opens the database, applies migrations and builds
// the services.
func openApp(ctx context.Context, cfg *config.Config) (*app, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	clk := clock.System{}
	log := audit.New(d, clk)
	orgs := org.NewService(d, log, clk)
	cal, err := calendar.NewService(d, log, clk)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("calendar: %w", err)
	}
	store, err := blob.FromEnv(cfg.DataDir)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("attachments store: %w", err)
	}
	if s3, ok := store.(*blob.S3); ok {
		if err := s3.EnsureBucket(ctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("attachments bucket: %w", err)
		}
	}
	locator := gridLocator{geo.NewFreshLocator(orgs, 5*time.Second, clk.Now)}
	caseSvc := cases.NewService(d, log, clk, cal, locator)
	blobs := blob.NewService(d, store, log, clk, blob.DefaultOptions())
	// Attachments named in case steps must exist and be the actor's; whoever
	// sees a case may open the attachments of its steps.
	caseSvc.SetAttachments(blobs)
	blobs.AddReader(caseSvc)
	key, err := registry.LoadKey(cfg.DataDir)
	if err != nil {
		d.Close()
		return nil, err
	}
	sealer, err := registry.NewSealer(key)
	if err != nil {
		d.Close()
		return nil, err
	}
	reg := registry.NewService(d, log, clk, sealer, locator)
	reg.SetAccessLimits(registry.AccessLimits{LookupsPerHour: cfg.LookupsPerHour, PeoplePerHour: cfg.PeoplePerHour})
	reg.ApprovalThreshold = cfg.ExportApproval
	// A person's page lists the cases that concern them, as the actor sees them.
	reg.SetCases(caseSummaries{caseSvc})
	opts := auth.DefaultOptions()
	opts.IdleTimeout, opts.AbsoluteTimeout = cfg.SessionIdle, cfg.SessionAbsolute
	opts.PasswordPolicy = cfg.PasswordPolicy
	a := &app{
		cfg: cfg, db: d, clock: clk, audit: log, org: orgs, calendar: cal,
		blobs:    blobs,
		cases:    caseSvc,
		auth:     auth.NewService(d, log, clk, orgs, opts),
		registry: reg,
		places:   places.NewService(reg, d, log, clk),
		groups:   groups.NewService(reg, d, log, clk),
		log:      newLogger(cfg.LogLevel),
		geo:      atlas.NewService(d, log, clk, orgs, locator.fresh),
		locator:  locator.fresh,
		replay:   idem.New(d, clk),
		// Citizen reports: contacts sealed with the registry's key.
		citizen: citizen.NewService(d, log, clk, caseSvc, sealer, citizen.Options{
			PerClientHour: cfg.CitizenPerHour, PerPhoneDay: cfg.CitizenPerPhoneDay}),
	}
	if err := a.auth.EnsureBuiltinRoles(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("built-in roles: %w", err)
	}
	if err := a.cases.EnsureCatalogue(actor.With(ctx, actor.SystemActor("startup"))); err != nil {
		d.Close()
		return nil, fmt.Errorf("case categories: %w", err)
	}
	// PostGIS, where the database has it: grid_geoms and gridgov_locate.
	if err := a.geo.Start(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("geo: %w", err)
	}
	// Geocoding reads the registry's houses; a case with only an address
	// lands in the grid the address names.
	a.geo.SetHouses(a.places)
	a.cases.SetAddressLocator(addressLocator{a.geo})
	// Indexes a large import dropped before the process died come back.
	if err := a.registry.EnsureIndexes(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("registry indexes: %w", err)
	}
	// Visit attachments must be the actor's own uploads.
	a.groups.SetAttachments(blobs)
	// Whoever may read a visited person, household, house or organisation
	// may open the visit's photos.
	blobs.AddReader(a.groups)
	if err := a.groups.EnsureCodeTables(actor.With(ctx, actor.SystemActor("startup"))); err != nil {
		d.Close()
		return nil, fmt.Errorf("code tables: %w", err)
	}
	return a, nil
}

// Close releases the database.
func (a *app) Close() error { return a.db.Close() }

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// caseSummaries lets the registry read a case as the actor sees it.
type caseSummaries struct{ cases *cases.Service }

// CaseSummary returns a visible case's number, status and category name.
func (c caseSummaries) CaseSummary(ctx context.Context, id int64) (number, status, category string, err error) {
	k, err := c.cases.CaseByID(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	return k.Number, string(k.Status), k.CategoryName, nil
}

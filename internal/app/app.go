// Package app is the one place the application is built: every store,
// service and adapter is created here from a config, with its collaborators
// as constructor arguments, and closed here. The binary's subcommands, the
// HTTP handlers and the tests (through internal/apptest) all take the App
// this package builds; nothing else wires services together.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	"gridgov/internal/jobs"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
	"gridgov/internal/secrets"
)

// App is the wired platform: the configuration, the database and every
// service, shared by the subcommands and the HTTP handlers.
type App struct {
	Config   *config.Config
	DB       *db.DB
	Clock    clock.Clock
	Log      *slog.Logger
	Audit    *audit.Log
	Org      *org.Service
	Calendar *calendar.Service
	Blobs    *blob.Service
	Cases    *cases.Service
	Auth     *auth.Service
	Registry *registry.Service
	Transfer *transfer.Service // the registry's bulk import and export of people
	Places   *places.Service
	Groups   *groups.Service
	// Geo serves boundaries, coverage, geofences, geocoding and point → grid.
	Geo *atlas.Service
	// Locator is the in-memory point → grid index, rebuilt when grids change.
	Locator *geo.FreshLocator
	// Idempotency keeps the answers replayed to retried writes.
	Idempotency *idem.Service
	// Citizen is the public intake behind the portal, Open311 and API keys.
	Citizen *citizen.Service
	// Portal files citizen reports with photos.
	Portal *citizen.Portal
	// Captcha guards the portal's report form, keyed by a secret every
	// node shares.
	Captcha *citizen.Captcha
	// Secrets keeps the secrets every node of the installation shares.
	Secrets *secrets.Store
	// Jobs runs the background jobs (registerJobs); serve starts it.
	Jobs *jobs.Runner

	closers []func() error
}

// Options change how Build makes the parts a test or a tool needs to
// control; the zero value is production.
type Options struct {
	// DB is an open, migrated database to use instead of opening
	// cfg.DatabaseURL (tests); the App then does not close it.
	DB *db.DB
	// Clock replaces the system clock (tests move time).
	Clock clock.Clock
	// Logger replaces the logger made from cfg.LogLevel.
	Logger *slog.Logger
	// Blobs replaces the attachment store taken from the environment.
	Blobs blob.Store
	// BlobLimits replaces blob.DefaultOptions() (tests lower the limits).
	BlobLimits *blob.Options
	// RegistryKey replaces the key read from the data directory.
	RegistryKey []byte
	// Auth adjusts the authentication options after they are taken from
	// the configuration (tests lower the argon2 cost).
	Auth func(*auth.Options)
	// LocatorInterval is how often the point → grid index checks for grid
	// changes (default 5 s; tests use 0, every lookup).
	LocatorInterval *time.Duration
}

// Build validates cfg, opens and migrates the database (unless opts.DB is
// given) and builds every service. Close releases what it opened.
func Build(ctx context.Context, cfg *config.Config, opts Options) (a *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// built, not a, is closed on failure: "return nil, err" has already
	// set a to nil when the deferred call runs.
	built := &App{Config: cfg, Clock: opts.Clock, Log: opts.Logger}
	defer func() {
		if err != nil {
			_ = built.Close()
			a = nil
		}
	}()
	a = built
	if a.Clock == nil {
		a.Clock = clock.System{}
	}
	if a.Log == nil {
		a.Log = NewLogger(os.Stderr, cfg.LogLevel)
	}
	if a.DB = opts.DB; a.DB == nil {
		if a.DB, err = db.Open(ctx, cfg.DatabaseURL, cfg.DataDir); err != nil {
			return nil, err
		}
		a.closers = append(a.closers, a.DB.Close)
		if _, err := a.DB.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
	}
	if err := a.build(ctx, cfg, opts); err != nil {
		return nil, err
	}
	return a, a.start(ctx)
}

// build creates the services in dependency order. Where two modules need
// each other (attachments and the modules whose records link them; the case
// loop and the geocoder that reads the registry's houses), the later one is
// reached through an adapter over the App that resolves it when called.
func (a *App) build(ctx context.Context, cfg *config.Config, opts Options) error {
	clk := a.Clock
	a.Audit = audit.New(a.DB, clk)
	a.Org = org.NewService(a.DB, a.Audit, clk)
	cal, err := calendar.NewService(a.DB, a.Audit, clk)
	if err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	a.Calendar = cal
	store := opts.Blobs
	if store == nil {
		if store, err = blob.FromEnv(cfg.DataDir); err != nil {
			return fmt.Errorf("attachments store: %w", err)
		}
		if s3, ok := store.(*blob.S3); ok {
			if err := s3.EnsureBucket(ctx); err != nil {
				return fmt.Errorf("attachments bucket: %w", err)
			}
		}
	}
	interval := 5 * time.Second
	if opts.LocatorInterval != nil {
		interval = *opts.LocatorInterval
	}
	a.Locator = geo.NewFreshLocator(a.Org, interval, clk.Now)
	// Whoever may read a case, a visited record or a citizen report may
	// open the attachments linked to it.
	limits := blob.DefaultOptions()
	if opts.BlobLimits != nil {
		limits = *opts.BlobLimits
	}
	a.Blobs = blob.NewService(a.DB, store, a.Audit, clk, limits,
		blob.ReaderFunc(func(ctx context.Context, id int64) (bool, error) { return a.Cases.CanReadAttachment(ctx, id) }),
		blob.ReaderFunc(func(ctx context.Context, id int64) (bool, error) { return a.Groups.CanReadAttachment(ctx, id) }),
		blob.ReaderFunc(func(ctx context.Context, id int64) (bool, error) { return a.Portal.CanReadAttachment(ctx, id) }))
	// A case filed with only an address lands in the grid the geocoder
	// (which reads the registry's houses) names.
	a.Cases = cases.NewService(a.DB, a.Audit, clk, a.Calendar, gridLocator{a.Locator},
		cases.WithAttachments(a.Blobs), cases.WithAddressLocator(addressLocator{a}))
	key := opts.RegistryKey
	if key == nil {
		if key, err = seal.LoadKey(cfg.DataDir); err != nil {
			return err
		}
	}
	sealer, err := seal.NewSealer(key)
	if err != nil {
		return err
	}
	a.Registry = registry.NewService(a.DB, a.Audit, clk, sealer, gridLocator{a.Locator},
		registry.WithAccessLimits(registry.AccessLimits{LookupsPerHour: cfg.LookupsPerHour, PeoplePerHour: cfg.PeoplePerHour}),
		// A person's page lists the cases that concern them, as the actor sees them.
		registry.WithCases(caseSummaries{a.Cases}))
	a.Transfer = transfer.NewService(a.DB, a.Audit, clk, a.Registry, transfer.WithApprovalThreshold(cfg.ExportApproval))
	a.Places = places.NewService(a.Registry, a.DB, a.Audit, clk)
	a.Groups = groups.NewService(a.Registry, a.Places, a.DB, a.Audit, clk, a.Blobs)
	a.Geo = atlas.NewService(a.DB, a.Audit, clk, a.Org, a.Locator, a.Places)
	authOpts := auth.DefaultOptions()
	authOpts.IdleTimeout, authOpts.AbsoluteTimeout = cfg.SessionIdle, cfg.SessionAbsolute
	authOpts.PasswordPolicy = cfg.PasswordPolicy
	if opts.Auth != nil {
		opts.Auth(&authOpts)
	}
	a.Auth = auth.NewService(a.DB, a.Audit, clk, a.Org, authOpts)
	a.Idempotency = idem.New(a.DB, clk)
	// Citizen reports: contacts sealed with the registry's key.
	a.Citizen = citizen.NewService(a.DB, a.Audit, clk, a.Cases, sealer, citizen.Options{
		PerClientHour: cfg.CitizenPerHour, PerPhoneDay: cfg.CitizenPerPhoneDay})
	a.Portal = citizen.NewPortal(a.Citizen, a.Blobs)
	a.Secrets = secrets.New(a.DB, clk)
	captchaKey, err := a.Secrets.Get(ctx, "captcha", 32)
	if err != nil {
		return err
	}
	a.Captcha = citizen.NewCaptcha(a.DB, clk, captchaKey)
	a.Jobs = jobs.New(a.DB, a.Audit, clk, jobs.Options{Logger: a.Log})
	registerJobs(a.Jobs, a)
	return nil
}

// start ensures what the services need beyond the migrations.
func (a *App) start(ctx context.Context) error {
	sys := actor.With(ctx, actor.SystemActor("startup"))
	if err := a.Auth.EnsureBuiltinRoles(ctx); err != nil {
		return fmt.Errorf("built-in roles: %w", err)
	}
	if err := a.Cases.EnsureCatalogue(sys); err != nil {
		return fmt.Errorf("case categories: %w", err)
	}
	// PostGIS, where the database has it: grid_geoms and gridgov_locate.
	if err := a.Geo.Start(ctx); err != nil {
		return fmt.Errorf("geo: %w", err)
	}
	// Indexes a large import dropped before the process died come back.
	if err := a.Registry.EnsureIndexes(ctx); err != nil {
		return fmt.Errorf("registry indexes: %w", err)
	}
	if err := a.Groups.EnsureCodeTables(sys); err != nil {
		return fmt.Errorf("code tables: %w", err)
	}
	return nil
}

// Close releases what Build opened, last opened first.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// NewLogger returns a text logger writing to w at level (debug, info, warn,
// error; anything else is info).
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

package places

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// Service keeps houses, organisations, components and rosters.
type Service struct {
	reg   *registry.Service
	db    *db.DB
	st    store
	audit *audit.Log
	clock clock.Clock
}

// NewService returns the places service; reg places records in their grid
// and seals organisation phones.
func NewService(reg *registry.Service, d *db.DB, log *audit.Log, clk clock.Clock) *Service {
	return &Service{reg: reg, db: d, st: store{db: d}, audit: log, clock: clk}
}

// Default and largest page sizes of the lists.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// scoped starts a list query restricted to the actor's scope for perm on
// the unit_path column of alias (e.g. "h.").
func scoped(ctx context.Context, alias string) (*where, error) {
	if err := rbac.RequireAny(ctx, registry.PermRead); err != nil {
		return nil, err
	}
	w := &where{}
	cond, args := rbac.ScopeOf(actor.From(ctx), registry.PermRead).SQL(alias + "unit_path")
	w.add(cond, args...)
	return w, nil
}

// unitSubtree restricts a list to a unit's subtree; an unknown unit is a 422.
func (s *Service) unitSubtree(ctx context.Context, w *where, alias, code string) error {
	if code == "" {
		return nil
	}
	path, ok, err := orgdir.New(s.db).UnitPath(ctx, code)
	if err != nil {
		return apperr.Wrap(err, "unit")
	}
	if !ok {
		return apperr.Field("unit_code", apperr.UnknownUnit, "code", code)
	}
	w.add(alias+"unit_path LIKE ?", path+"%")
	return nil
}

// checkPoint validates optional coordinates: both or neither, in range.
func checkPoint(errs apperr.FieldErrors, lat, lng *float64) {
	if (lat == nil) != (lng == nil) {
		errs.Add("lat", apperr.Together, "fields", "lat, lng")
		return
	}
	if lat != nil && (*lat < -90 || *lat > 90) {
		errs.Add("lat", apperr.OutOfRange, "min", -90, "max", 90)
	}
	if lng != nil && (*lng < -180 || *lng > 180) {
		errs.Add("lng", apperr.OutOfRange, "min", -180, "max", 180)
	}
}

// checkSource defaults an empty source to own and validates it.
func checkSource(errs apperr.FieldErrors, src *registry.Source) {
	if *src == "" {
		*src = registry.SourceOwn
	}
	if !registry.ValidSource(*src) {
		errs.Add("source", apperr.OneOf, "values", "base, shared, own")
	}
}

// place resolves a record's territory and checks the actor may write there.
func (s *Service) place(ctx context.Context, grid, unit string, lat, lng *float64) (registry.Territory, error) {
	t, err := s.reg.Territory(ctx, grid, unit, lat, lng)
	if err != nil {
		return t, err
	}
	if err := rbac.Require(ctx, registry.PermWrite, t.Path); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			field := "grid_code"
			if t.Grid == "" {
				field = "unit_code"
			}
			return t, apperr.Field(field, apperr.OutsideScope)
		}
		return t, err
	}
	return t, nil
}

// current reads a record's scope path and version and checks perm over it;
// a record outside the actor's scope is not_found, like a missing one.
func (s *Service) current(ctx context.Context, table string, id int64, perm rbac.Permission) (path string, version int, err error) {
	if err := rbac.RequireAny(ctx, perm); err != nil {
		return "", 0, err
	}
	path, version, err = s.st.pathVersion(ctx, table, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return "", 0, apperr.Wrap(err, table)
	}
	return path, version, rbac.Require(ctx, perm, path)
}

// stale reports a version conflict (0 skips the check).
func stale(want, have int) error {
	if want != 0 && want != have {
		return apperr.Newf(apperr.Conflict, "the record was changed by someone else (version %d, yours %d)", have, want).WithReason("stale")
	}
	return nil
}

// verify marks a record as verified in the field (核对) now.
func (s *Service) verify(ctx context.Context, table, objType string, id int64, note string) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, table, id, registry.PermWrite)
		if err != nil {
			return err
		}
		now := s.now()
		if err := s.st.verifiedNow(ctx, table, id, version, now); err != nil {
			return err
		}
		return s.record(ctx, objType+".verify", objType, id, map[string]any{"note": note})
	})
}

// record writes an audit entry in the caller's transaction.
func (s *Service) record(ctx context.Context, action, objType string, id int64, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{Action: action, ObjectType: objType,
		ObjectID: strconv.FormatInt(id, 10), Detail: detail})
}

// visiblePerson checks the actor may see a person: PermRead over the
// person's path, and PermKeyGroup too for a key-group person; otherwise
// the person is not found. field names the input in the error.
func (s *Service) visiblePerson(ctx context.Context, id int64, field string) (name string, err error) {
	name, path, key, err := s.st.person(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.Field(field, apperr.NoSuchPerson)
	}
	if err != nil {
		return "", apperr.Wrap(err, "person")
	}
	if !registry.CanSeePerson(actor.From(ctx), path, key) {
		return "", apperr.Field(field, apperr.NoSuchPerson)
	}
	return name, nil
}

// visibleHouse checks the actor may read a house (for links from other records).
func (s *Service) visibleHouse(ctx context.Context, id int64, field string) error {
	path, err := s.st.unitPath(ctx, "houses", id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !rbac.Can(actor.From(ctx), registry.PermRead, path)) {
		return apperr.Field(field, apperr.NoSuchHouse)
	}
	if err != nil {
		return apperr.Wrap(err, "house")
	}
	return nil
}

// conflictField is a 409 naming the field whose value is already taken.
func conflictField(field, msg string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: map[string]string{field: "already exists"}}
}

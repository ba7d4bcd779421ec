package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"gridgov/internal/org/orgdir"
	"slices"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
)

// chinaTime is Asia/Shanghai (no daylight saving), for case-number years.
var chinaTime = time.FixedZone("CST", 8*3600)

// CreateCase records a new case (采集) and, unless in.Report is false,
// reports it to the platform of its grid's unit. With an idempotency key a
// retry of the same input returns the first case and replayed=true; the
// same key with another input is a conflict.
func (s *Service) CreateCase(ctx context.Context, in CaseCreate) (c Case, replayed bool, err error) {
	a := actor.From(ctx)
	if a == nil {
		return Case{}, false, apperr.New(apperr.Unauthenticated, "login required")
	}
	if err := cleanCreate(&in); err != nil {
		return Case{}, false, err
	}
	hash := requestHash(in)
	if in.IdempotencyKey != "" {
		if c, ok, err := s.replay(ctx, a.UserID, in.IdempotencyKey, hash); ok || err != nil {
			return c, ok, err
		}
	}
	r, err := s.prepare(ctx, a, in)
	if err != nil {
		return Case{}, false, err
	}
	err = s.db.WithGroupTx(ctx, func(ctx context.Context) error { return s.insertNew(ctx, &r, in, hash) })
	if in.IdempotencyKey != "" && db.IsUniqueViolation(err) {
		// A concurrent retry with the same key won the race.
		if c, ok, err := s.replay(ctx, a.UserID, in.IdempotencyKey, hash); ok || err != nil {
			return c, ok, err
		}
	}
	if err != nil {
		return Case{}, false, err
	}
	return r.Case, false, nil
}

// idemScope is the scope of case creation's idempotency keys in
// internal/idem, the one keeper of replayed writes.
const idemScope = "case.create"

// replay returns the case a create under an idempotency key made; the key
// used with another input is a 422 naming it (REL-IDEM-1).
func (s *Service) replay(ctx context.Context, userID int64, key, hash string) (Case, bool, error) {
	ref, ok, err := s.replays.Bound(ctx, userID, key, idemScope, hash)
	if err != nil || !ok {
		return Case{}, false, err
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return Case{}, false, fmt.Errorf("idempotency key %q: case %q: %w", key, ref, err)
	}
	r, err := s.st.caseByID(ctx, id)
	return r.Case, err == nil, err
}

func cleanCreate(in *CaseCreate) error {
	errs := apperr.FieldErrors{}
	in.CategoryCode = strings.TrimSpace(in.CategoryCode)
	in.Description = strings.TrimSpace(in.Description)
	in.Address = strings.TrimSpace(in.Address)
	in.GridCode = strings.TrimSpace(in.GridCode)
	in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	if in.CategoryCode == "" {
		errs.Add("category_code", apperr.Required)
	}
	if in.Description == "" || len([]rune(in.Description)) > 2000 {
		errs.Add("description", apperr.RequiredMaxChars, "n", 2000)
	}
	if len([]rune(in.Address)) > 300 {
		errs.Add("address", apperr.MaxChars, "n", 300)
	}
	if in.Source == "" {
		in.Source = SourcePatrol
	}
	if !validSource(in.Source) {
		errs.Add("source", apperr.OneOf, "values", "patrol, citizen, leader, media, hotline, superior")
	}
	if in.Channel != "" && !slices.Contains(Channels, in.Channel) {
		errs.Add("channel", apperr.OneOf, "values", "portal, wechat, open311, app")
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		errs.Add("lat", apperr.Together, "fields", "lat, lng")
	}
	if in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90) {
		errs.Add("lat", apperr.OutOfRange, "min", -90, "max", 90)
	}
	if in.Lng != nil && (*in.Lng < -180 || *in.Lng > 180) {
		errs.Add("lng", apperr.OutOfRange, "min", -180, "max", 180)
	}
	if len(in.IdempotencyKey) > 200 {
		errs.Add("Idempotency-Key", apperr.MaxChars, "n", 200)
	}
	checkIDs(in.Attachments, errs)
	in.Attachments = cleanIDs(in.Attachments)
	return errs.Err()
}

func validSource(src Source) bool {
	for _, s := range Sources {
		if s == src {
			return true
		}
	}
	return false
}

// requestHash fingerprints a create request for idempotency.
func requestHash(in CaseCreate) string {
	in.IdempotencyKey = ""
	report := in.Report == nil || *in.Report
	sum := sha256.Sum256([]byte(mustJSON(in) + strconv.FormatBool(report)))
	return hex.EncodeToString(sum[:])
}

// prepare resolves grid, territory and category and checks case.create.
func (s *Service) prepare(ctx context.Context, a *actor.Actor, in CaseCreate) (caseRow, error) {
	grid, at, err := s.findGrid(ctx, a, in)
	if err != nil {
		return caseRow{}, err
	}
	if at != nil {
		// Placed by its address: the case takes the point found, so it
		// shows on the map.
		in.Lat, in.Lng = &at.Lat, &at.Lng
	}
	terr, err := s.st.gridUnit(ctx, grid)
	if err != nil {
		return caseRow{}, err
	}
	if err := requireScoped(ctx, PermCaseCreate, terr.Path); err != nil {
		return caseRow{}, err
	}
	cat, err := s.cachedCategory(ctx, in.CategoryCode)
	if err != nil || !cat.Active {
		return caseRow{}, apperr.Field("category_code", apperr.UnknownCategory, "code", in.CategoryCode)
	}
	if cat.UnitCode != "" {
		p, err := s.st.unitPath(ctx, cat.UnitCode, "category_code")
		if err != nil || !strings.HasPrefix(terr.Path, p) {
			return caseRow{}, apperr.Field("category_code", apperr.CategoryNotHere)
		}
	}
	now := s.now()
	r := caseRow{Case: Case{CategoryCode: cat.Code, CategoryName: cat.Name, Description: in.Description,
		Source: in.Source, Channel: in.Channel, Lat: in.Lat, Lng: in.Lng, Address: in.Address, GridCode: grid, UnitCode: terr.Code,
		UnitPath: terr.Path, Status: StatusCollected, CurrentUnitCode: terr.Code, StageStartedAt: now,
		Overdue: Green, ReporterID: a.UserID, ReporterUnitCode: a.UnitCode, Attachments: in.Attachments,
		Version: 1, CreatedAt: now, UpdatedAt: now}}
	if in.Report == nil || *in.Report {
		if err := s.firstStage(&r, cat); err != nil {
			return caseRow{}, err
		}
	}
	return r, nil
}

// findGrid picks the grid: given, located by the coordinates, located by
// the address (only when no coordinates are given; the match's point is
// returned for the case), or the reporter's only grid; else a 422 on
// grid_code.
func (s *Service) findGrid(ctx context.Context, a *actor.Actor, in CaseCreate) (string, *AddressMatch, error) {
	if in.GridCode != "" {
		return in.GridCode, nil, nil
	}
	if in.Lat != nil && s.locator != nil {
		code, ok, err := s.locator.Locate(ctx, *in.Lat, *in.Lng)
		if err != nil {
			return "", nil, apperr.Wrap(err, "locate grid")
		}
		if ok {
			return code, nil, nil
		}
	}
	if in.Lat == nil && in.Address != "" && s.addresses != nil {
		m, ok, err := s.addresses.LocateAddress(ctx, in.Address)
		if err != nil {
			return "", nil, apperr.Wrap(err, "locate address")
		}
		if ok && m.GridCode != "" {
			return m.GridCode, &m, nil
		}
	}
	code, err := orgdir.New(s.db).SoleGrid(ctx, a.StaffID)
	if err != nil {
		return "", nil, err
	}
	if code == "" {
		return "", nil, apperr.Field("grid_code", apperr.OutsideGrids)
	}
	return code, nil, nil
}

// insertNew writes a prepared case with its number, scope unit, first step,
// idempotency key, arrival notice and audit entry.
func (s *Service) insertNew(ctx context.Context, r *caseRow, in CaseCreate, hash string) error {
	if err := s.linkCheck(ctx, r.Attachments); err != nil {
		return err
	}
	city := strings.SplitN(strings.Trim(r.UnitPath, "/"), "/", 2)[0]
	year := r.CreatedAt.In(chinaTime).Year()
	n, err := s.st.nextNumber(ctx, year, city)
	if err != nil {
		return err
	}
	r.Number = fmt.Sprintf("%d-%s-%06d", year, city, n)
	if r.ID, err = s.st.insertCase(ctx, *r); err != nil {
		return err
	}
	if err := s.st.addUnit(ctx, r.ID, r.UnitCode, r.UnitPath, "territory"); err != nil {
		return err
	}
	a := actor.From(ctx)
	step := Step{CaseID: r.ID, Action: ActCreate, ToStatus: r.Status, UserID: a.UserID, Username: a.Username,
		UnitCode: a.UnitCode, Note: r.Description, Attachments: r.Attachments, CreatedAt: r.CreatedAt}
	if err := s.st.insertStep(ctx, step); err != nil {
		return err
	}
	if in.IdempotencyKey != "" {
		if err := s.replays.Bind(ctx, a.UserID, in.IdempotencyKey, idemScope, hash, strconv.FormatInt(r.ID, 10)); err != nil {
			return err
		}
	}
	if r.Status == StatusReported {
		if err := s.notify(ctx, *r, OutboxArrived, r.UnitCode, r.CreatedAt, ChannelInApp); err != nil {
			return err
		}
	}
	detail := map[string]any{"number": r.Number, "category": r.CategoryCode, "grid": r.GridCode,
		"source": string(r.Source), "status": string(r.Status)}
	if in.Lat == nil && r.Lat != nil {
		// findGrid placed the case by its address.
		detail["located_by"] = "address"
	}
	return s.audit.Record(ctx, audit.Entry{Action: "case.create", ObjectType: "case",
		ObjectID: strconv.FormatInt(r.ID, 10), Detail: detail})
}

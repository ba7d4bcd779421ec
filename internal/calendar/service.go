package calendar

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// PermWrite allows importing holiday calendars; it is honoured only over a
// root unit (the city), since the calendar is the same for every unit.
const PermWrite rbac.Permission = "calendar.write"

// Import formats.
const (
	FormatICS  = "ics"
	FormatJSON = "json"
)

// Service is the platform's working calendar: the embedded data plus the
// imports stored in the database. Its Calendar is an immutable snapshot
// swapped atomically after each import, so readers never lock.
type Service struct {
	db    *db.DB
	log   *audit.Log
	clock clock.Clock
	opts  Options

	mu  sync.Mutex // serialises imports, so snapshots follow commit order
	cur atomic.Pointer[Calendar]
}

// NewService loads the imported days from the database over the embedded
// data, with the default working hours.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock) (*Service, error) {
	return NewServiceWith(d, log, clk, Options{})
}

// NewServiceWith is NewService with options (zone, working periods); the
// stored days are appended to opts.Overrides.
func NewServiceWith(d *db.DB, log *audit.Log, clk clock.Clock, opts Options) (*Service, error) {
	s := &Service{db: d, log: log, clock: clk, opts: opts}
	if err := s.Reload(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload rebuilds the snapshot from the database, picking up imports made
// by another process.
func (s *Service) Reload(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := storedDays(ctx, s.db)
	if err != nil {
		return apperr.Wrap(err, "load calendar days")
	}
	c, err := s.build(stored)
	if err != nil {
		return err
	}
	s.cur.Store(c)
	return nil
}

func (s *Service) build(stored []Day) (*Calendar, error) {
	o := s.opts
	o.Overrides = append(append([]Day(nil), s.opts.Overrides...), stored...)
	return New(o)
}

// Now returns the service clock's current time in the calendar's zone.
func (s *Service) Now() time.Time { return s.clock.Now().In(s.Calendar().Location()) }

// Calendar returns the current snapshot.
func (s *Service) Calendar() *Calendar { return s.cur.Load() }

// DeadlineFor parses limit and returns its deadline from from on the
// current snapshot.
func (s *Service) DeadlineFor(from time.Time, limit string) (time.Time, error) {
	return s.Calendar().DeadlineFor(from, limit)
}

// Days lists the holidays and make-up workdays of year, imported ones
// included.
func (s *Service) Days(ctx context.Context, year int) ([]Day, error) {
	if year < 1900 || year > 9999 {
		return nil, apperr.Field("year", apperr.Year)
	}
	days := s.Calendar().Days(year)
	if days == nil {
		days = []Day{}
	}
	return days, nil
}

// ImportResult tells what an import did.
type ImportResult struct {
	Format    string `json:"format"`
	Days      int    `json:"days"`      // days in the file
	Holidays  int    `json:"holidays"`  // of which holidays
	Workdays  int    `json:"workdays"`  // of which make-up workdays
	Years     []int  `json:"years"`     // years the file touches
	Inserted  int    `json:"inserted"`  // rows added to calendar_days
	Updated   int    `json:"updated"`   // rows replaced
	Unchanged int    `json:"unchanged"` // rows already stored as given
	Changed   int    `json:"changed"`   // days whose working status changed
}

// Import reads a holiday calendar in format "ics" or "json" (see ParseICS,
// ParseJSON) and stores its days over the embedded data, in one audited
// transaction. Importing the same file again changes nothing. It needs
// PermWrite over a root unit, or the system actor.
func (s *Service) Import(ctx context.Context, format string, r io.Reader) (ImportResult, error) {
	if err := requireImporter(ctx); err != nil {
		return ImportResult{}, err
	}
	format = strings.ToLower(strings.TrimSpace(format))
	var days []Day
	var err error
	switch format {
	case FormatICS:
		days, err = ParseICS(r, "import:"+format)
	case FormatJSON:
		days, err = ParseJSON(r, "import:"+format)
	default:
		return ImportResult{}, apperr.Field("format", apperr.OneOf, "values", "ics, json")
	}
	if err != nil {
		return ImportResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var next *Calendar
	res := ImportResult{Format: format, Days: len(days)}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		next, err = s.store(ctx, days, &res)
		return err
	})
	if err != nil {
		return ImportResult{}, err
	}
	s.cur.Store(next)
	return res, nil
}

// store writes days, fills res and returns the calendar they make.
func (s *Service) store(ctx context.Context, days []Day, res *ImportResult) (*Calendar, error) {
	stored, err := storedDays(ctx, s.db)
	if err != nil {
		return nil, apperr.Wrap(err, "load calendar days")
	}
	have := make(map[string]Day, len(stored))
	for _, x := range stored {
		have[x.Date] = x
	}
	now := s.clock.Now()
	years := map[int]bool{}
	for _, x := range days {
		if x.Kind == KindHoliday {
			res.Holidays++
		} else {
			res.Workdays++
		}
		k, _ := parseDate(x.Date)
		if !years[k.year()] {
			years[k.year()] = true
			res.Years = append(res.Years, k.year())
		}
		old, ok := have[x.Date]
		switch {
		case ok && old == x:
			res.Unchanged++
			continue
		case ok:
			res.Updated++
		default:
			res.Inserted++
		}
		if err := upsertDay(ctx, s.db, x, now); err != nil {
			return nil, apperr.Wrap(err, "store calendar day "+x.Date)
		}
		have[x.Date] = x
	}
	next, err := s.build(append(stored, days...))
	if err != nil {
		return nil, err
	}
	res.Changed = changedDays(s.Calendar(), next, days)
	return next, s.log.Record(ctx, audit.Entry{
		Action: "calendar.import", ObjectType: "calendar", ObjectID: res.Format, Result: "ok",
		Detail: map[string]any{"days": res.Days, "holidays": res.Holidays, "workdays": res.Workdays,
			"years": res.Years, "inserted": res.Inserted, "updated": res.Updated,
			"unchanged": res.Unchanged, "changed": res.Changed},
	})
}

// changedDays counts the days of days whose working status differs between
// old and next.
func changedDays(old, next *Calendar, days []Day) int {
	n := 0
	for _, x := range days {
		k, _ := parseDate(x.Date)
		t := time.Date(k.year(), time.Month(int(k)/100%100), int(k)%100, 12, 0, 0, 0, next.loc)
		if old.IsWorkday(t) != next.IsWorkday(t) {
			n++
		}
	}
	return n
}

// requireImporter allows the system actor and holders of PermWrite over a
// root unit (a scope path of one segment, "/410100/").
func requireImporter(ctx context.Context) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if a.System {
		return nil
	}
	for _, g := range a.Grants {
		if g.Perms[PermWrite] && strings.Count(g.ScopePath, "/") == 2 {
			return nil
		}
	}
	return apperr.Newf(apperr.Forbidden, "permission %s over the city (a root unit) required", PermWrite)
}

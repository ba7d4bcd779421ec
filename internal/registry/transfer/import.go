package transfer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/registry"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// DefaultImportBatch is the number of file rows written per transaction.
// The blind indexes are random keys: every batch rewrites about one index
// page per row until the batch covers the index, so at a million people
// batches of 2,000 rows wrote 35 GB and imported 3,500 rows/s where
// batches of 20,000 import about 10,000 rows/s. A batch holds the writer
// for about two seconds.
const DefaultImportBatch = 20000

// The import job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// KindPeople is the import kind of people files.
const KindPeople = "people"

// maxJobFailures is how many failures ImportJob.Failures shows;
// maxStoredFailures is how many failed rows a job keeps for download.
const (
	maxJobFailures    = 100
	maxStoredFailures = 100_000
)

// ImportOptions tune an import. UnitCode is the importing unit: it must be
// in the actor's registry.import scope, and rows without a grid are bound
// to it awaiting a grid. Mapping maps a file's header (as written) to a
// field name; other headers are recognised by field name or Chinese title.
type ImportOptions struct {
	UnitCode  string
	Source    registry.Source
	Mapping   map[string]string
	Filename  string
	BatchSize int
	// Progress, when set, is called after each batch with the data rows
	// done and the data rows of the file.
	Progress func(done, total int)
}

// RowFailure is one row that was not imported: its line in the file, the
// field at fault ("" for the row as a whole), the problem and the row as
// the file gave it. Problem is in English; Problems holds the same
// problems as codes (by field, "" for the row's own problem), which Text
// puts in the reader's language for an import report.
type RowFailure struct {
	Line     int                       `json:"line"`
	Field    string                    `json:"field"`
	Problem  string                    `json:"problem"`
	Problems map[string]apperr.Problem `json:"problems,omitempty"`
	Row      []string                  `json:"row"`
}

// rowFailure returns the failure of a row with one problem of its own.
func rowFailure(line int, field string, p apperr.Problem) *RowFailure {
	return &RowFailure{Line: line, Field: field, Problem: p.Text(apperr.English),
		Problems: map[string]apperr.Problem{"": p}}
}

// Text returns the failure's problem in lang: "field: problem; …" for
// problems of named fields, the problem alone for the row's own.
func (f RowFailure) Text(lang string) string {
	if len(f.Problems) == 0 {
		return f.Problem
	}
	keys := make([]string, 0, len(f.Problems))
	for k := range f.Problems {
		keys = append(keys, k)
	}
	sortStrings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = f.Problems[k].Text(lang)
		if k != "" {
			parts[i] = k + ": " + parts[i]
		}
	}
	return strings.Join(parts, "; ")
}

// ImportJob is one import of one file. Rows are counted as data rows of
// the file (the header excluded): RowsDone of RowsTotal were processed,
// each either inserted, updated, unchanged or failed.
type ImportJob struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	Filename  string          `json:"filename"`
	SHA256    string          `json:"sha256"`
	UnitCode  string          `json:"unit_code"`
	Source    registry.Source `json:"source"`
	Status    string          `json:"status"`
	RowsTotal int             `json:"rows_total"`
	RowsDone  int             `json:"rows_done"`
	Inserted  int             `json:"inserted"`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Failed    int             `json:"failed"`
	Error     string          `json:"error,omitempty"`
	// Failures are the first failed rows (at most 100).
	Failures []RowFailure `json:"failures"`
	// Mapping is the file's header → field; "" marks an ignored column.
	Mapping map[string]string `json:"mapping,omitempty"`
	// Warnings name the ignored columns, once each.
	Warnings   []string   `json:"warnings,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`

	unitPath string
	header   []string
}

// headerKey keeps the file's header row (cells joined by US) in the
// stored mapping, for the failures download.
const headerKey = "\x00header"

// ImportPeople imports the people of the file at path (.csv in UTF-8 or
// GB18030, or .xlsx, told by content). Each row is cleaned and checked
// (registry.CleanPerson, a known grid within the actor's import scope, no second
// row with the same identity); failed rows are kept in the job, the
// others written in batches of opts.BatchSize rows, each batch one
// transaction that also advances the job and records one audit entry.
//
// Identity: the blind index of the ID-card number; for a row without
// one, its name, birth date, phone and unit. A row whose person exists is
// compared with the stored columns and updated only when it differs; a
// re-import therefore never duplicates. A row with no grid does not take
// away a grid the person has since been given. An import of the same file
// (same content, unit and kind) whose job is still running resumes after
// the rows it has done. The error is non-nil only when the file cannot be
// read at all or the import cannot go on; the job tells the rest.
func (s *Service) ImportPeople(ctx context.Context, path string, opts ImportOptions) (ImportJob, error) {
	a := actor.From(ctx)
	if err := rbac.RequireAny(ctx, PermImport); err != nil {
		return ImportJob{}, err
	}
	if opts.Source == "" {
		opts.Source = registry.SourceBase
	}
	if !registry.ValidSource(opts.Source) {
		return ImportJob{}, apperr.Field("source", apperr.OneOf, "values", "base, shared, own")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultImportBatch
	}
	unit, err := s.importUnit(ctx, a, opts.UnitCode)
	if err != nil {
		return ImportJob{}, err
	}
	if opts.Filename == "" {
		opts.Filename = filepath.Base(path)
	}
	info, err := inspect(path)
	if err != nil {
		return ImportJob{}, apperr.New(apperr.Invalid, "the file cannot be read: "+err.Error())
	}
	total, err := countRows(path, info)
	if err != nil {
		return ImportJob{}, err
	}
	t, err := openTable(path, info)
	if err != nil {
		return ImportJob{}, err
	}
	defer t.close()
	h, err := readHeader(t, opts.Mapping)
	if err != nil {
		return ImportJob{}, err
	}
	job, err := s.startJob(ctx, info.sha256, unit, opts, h, total)
	if err != nil {
		return ImportJob{}, err
	}
	imp, err := s.newImporter(ctx, job, unit, opts, h)
	if err != nil {
		return job, err
	}
	defer s.bigCache(ctx)()
	restore, err := s.reg.PrepareBulkIndexes(ctx, job.RowsTotal-job.RowsDone, deferMinRows)
	if err != nil {
		return job, err
	}
	err = imp.run(ctx, t)
	// The indexes come back before the job is done or failed (a process
	// that dies first leaves them to registry.EnsureIndexes).
	if rerr := restore(); err == nil {
		err = rerr
	}
	if err != nil {
		if ctx.Err() == nil {
			s.failJob(job.ID, err)
		}
		return s.jobOrZero(job.ID), err
	}
	if err := s.finishJob(ctx, job.ID); err != nil {
		return imp.job, err
	}
	return s.importJob(ctx, job.ID)
}

// deferMinRows is the least number of rows an import must have left to
// write before it defers the indexes of people (see
// registry.PrepareBulkIndexes).
var deferMinRows = 50_000

// importCacheKiB is the SQLite page cache of the writer during an import:
// the blind indexes are random keys, so each batch touches pages all over
// their B-trees, and a cache that holds them saves reading them again.
const importCacheKiB = 256 << 10

// importCheckpointPages is the WAL size (in pages, 4 KiB each) at which
// the writer checkpoints during an import. Each batch rewrites the same
// index pages; checkpointing after every batch (the default 8,000 pages
// is less than one batch writes) copies each of them back into the
// database file once per batch, while a 1 GiB WAL lets one checkpoint
// copy the newest version of a page once for several batches. Commits
// stay as durable as ever (WAL, synchronous=NORMAL): only when the WAL is
// copied back changes.
const importCheckpointPages = 256 << 10

// bigCache enlarges the SQLite writer's page cache and checkpoint
// interval for an import and returns what restores them and copies the
// WAL back into the database. Both pragmas are the writer connection's
// own; durability (journal_mode, synchronous) is left as it is.
func (s *Service) bigCache(ctx context.Context) func() {
	if s.db.Dialect != db.SQLite {
		return func() {}
	}
	var oldCache, oldCheckpoint int
	if err := s.db.QueryRow(ctx, `PRAGMA cache_size`).Scan(&oldCache); err != nil {
		return func() {}
	}
	if err := s.db.QueryRow(ctx, `PRAGMA wal_autocheckpoint`).Scan(&oldCheckpoint); err != nil {
		return func() {}
	}
	restore := func() {
		ctx := context.WithoutCancel(ctx)
		_, _ = s.db.Exec(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, oldCache))
		_, _ = s.db.Exec(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, oldCheckpoint))
		// Copy the WAL back now and truncate it, so that the import leaves
		// no WAL of up to importCheckpointPages behind (a reader still busy
		// after busy_timeout leaves it to the next checkpoint).
		_, _ = s.db.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if _, err := s.db.Exec(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, importCacheKiB)); err != nil {
		return func() {}
	}
	// Without the longer interval the import is only slower.
	_, _ = s.db.Exec(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, importCheckpointPages))
	return restore
}

// importUnit resolves the importing unit: the one named, or the actor's
// own, or for the system actor the root; it must be in the actor's
// registry.import scope.
func (s *Service) importUnit(ctx context.Context, a *actor.Actor, code string) (registry.Territory, error) {
	code = strings.TrimSpace(code)
	if code == "" && a != nil {
		code = a.UnitCode
	}
	var unit orgdir.Unit
	var ok bool
	var err error
	if code == "" {
		unit, ok, err = s.units.FirstRoot(ctx)
	} else {
		unit, ok, err = s.units.Unit(ctx, code)
	}
	if err != nil {
		return registry.Territory{}, apperr.Wrap(err, "import unit")
	}
	if !ok {
		return registry.Territory{Unit: code}, apperr.Field("unit_code", apperr.UnknownUnit, "code", code)
	}
	u := registry.Territory{Unit: unit.Code, Path: unit.Path}
	if err := rbac.Require(ctx, PermImport, u.Path); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return u, apperr.Field("unit_code", apperr.UnknownUnit, "code", code)
		}
		return u, err
	}
	return u, nil
}

// countRows counts the data rows of the file (for progress and the job's
// total).
func countRows(path string, info fileInfo) (int, error) {
	t, err := openTable(path, info)
	if err != nil {
		return 0, err
	}
	defer t.close()
	n := -1
	for {
		_, _, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, apperr.New(apperr.Invalid, "the file cannot be read: "+err.Error())
		}
		n++
	}
	if n < 0 {
		n = 0
	}
	return n, nil
}

// startJob resumes the running job of the same file, unit and kind, or
// creates one.
func (s *Service) startJob(ctx context.Context, sum string, unit registry.Territory, opts ImportOptions, h header, total int) (ImportJob, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM import_jobs WHERE sha256 = ? AND unit_code = ? AND kind = ? AND status = ?
		ORDER BY id DESC LIMIT 1`, sum, unit.Unit, KindPeople, JobRunning).Scan(&id)
	if err == nil {
		return s.importJob(ctx, id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return ImportJob{}, apperr.Wrap(err, "find import job")
	}
	mapping := map[string]string{}
	for i, c := range h.cells {
		mapping[strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))] = h.col[i]
	}
	cells := make([]string, len(h.cells))
	for i, c := range h.cells {
		cells[i] = strings.TrimPrefix(c, "\ufeff")
	}
	mapping[headerKey] = strings.Join(cells, "\x1f")
	mj, _ := json.Marshal(mapping)
	a := actor.From(ctx)
	var uid any
	if a != nil && !a.System {
		uid = a.UserID
	}
	now := s.now()
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.QueryRow(ctx, `INSERT INTO import_jobs (kind, filename, sha256, unit_code, unit_path, source, mapping,
			status, rows_total, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			KindPeople, opts.Filename, sum, unit.Unit, unit.Path, string(opts.Source), string(mj), JobRunning, total, uid,
			now, now).Scan(&id); err != nil {
			return apperr.Wrap(err, "create import job")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "import_job.create", ObjectType: "import_job",
			ObjectID: fmt.Sprint(id), Result: audit.Success, Detail: map[string]any{"kind": KindPeople,
				"filename": opts.Filename, "sha256": sum, "unit_code": unit.Unit, "rows_total": total}})
	})
	if err != nil {
		return ImportJob{}, err
	}
	return s.importJob(ctx, id)
}

// finishJob marks a job done.
func (s *Service) finishJob(ctx context.Context, id int64) error {
	now := s.now()
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `UPDATE import_jobs SET status = ?, finished_at = ?, updated_at = ? WHERE id = ?`,
			JobDone, now, now, id); err != nil {
			return apperr.Wrap(err, "finish import job")
		}
		return s.audit.Record(ctx, audit.Entry{Action: "import_job.finish", ObjectType: "import_job",
			ObjectID: fmt.Sprint(id), Result: audit.Success})
	})
}

// failJob marks a job failed with err's message (never plain identifiers:
// errors of the import path do not carry row values).
func (s *Service) failJob(id int64, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = actor.With(ctx, actor.SystemActor("import"))
	now := s.now()
	msg := cause.Error()
	if ae := apperr.As(cause); ae != nil {
		msg = ae.Message
	}
	_ = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `UPDATE import_jobs SET status = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?`,
			JobFailed, msg, now, now, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "import_job.finish", ObjectType: "import_job",
			ObjectID: fmt.Sprint(id), Result: audit.Failure, Detail: map[string]any{"error": msg}})
	})
}

// jobOrZero reads a job for an error answer, without scope checks.
func (s *Service) jobOrZero(id int64) ImportJob {
	j, _ := s.importJob(context.Background(), id)
	return j
}

const jobColumns = `id, kind, filename, sha256, unit_code, unit_path, source, mapping, status, rows_total, rows_done,
	inserted, updated, unchanged, failed, failures, error, created_at, finished_at`

// scanJob reads a job row; withFailures parses up to maxJobFailures.
func scanJob(sc interface{ Scan(...any) error }) (ImportJob, string, error) {
	var j ImportJob
	var src, mapping, failures string
	var finished sql.NullTime
	err := sc.Scan(&j.ID, &j.Kind, &j.Filename, &j.SHA256, &j.UnitCode, &j.unitPath, &src, &mapping, &j.Status,
		&j.RowsTotal, &j.RowsDone, &j.Inserted, &j.Updated, &j.Unchanged, &j.Failed, &failures, &j.Error,
		&j.CreatedAt, &finished)
	if err != nil {
		return j, "", err
	}
	j.Source = registry.Source(src)
	if finished.Valid {
		t := finished.Time.UTC()
		j.FinishedAt = &t
	}
	j.CreatedAt = j.CreatedAt.UTC()
	_ = json.Unmarshal([]byte(mapping), &j.Mapping)
	if h, ok := j.Mapping[headerKey]; ok {
		j.header = strings.Split(h, "\x1f")
		delete(j.Mapping, headerKey)
	}
	var ignored []string
	for h, f := range j.Mapping {
		if f == "" && h != "" {
			ignored = append(ignored, h)
		}
	}
	sort.Strings(ignored)
	for _, h := range ignored {
		j.Warnings = append(j.Warnings, fmt.Sprintf("column %q is not a known field and was ignored", h))
	}
	return j, failures, nil
}

// parseFailures reads up to limit failures of the stored JSON lines (all
// when limit < 0).
func parseFailures(stored string, limit int) []RowFailure {
	out := []RowFailure{}
	for _, line := range strings.Split(stored, "\n") {
		if line == "" {
			continue
		}
		if limit >= 0 && len(out) >= limit {
			break
		}
		var f RowFailure
		if json.Unmarshal([]byte(line), &f) == nil {
			out = append(out, f)
		}
	}
	return out
}

// importJob reads a job without scope checks.
func (s *Service) importJob(ctx context.Context, id int64) (ImportJob, error) {
	j, failures, err := scanJob(s.db.QueryRow(ctx, `SELECT `+jobColumns+` FROM import_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ImportJob{}, apperr.New(apperr.NotFound, "import job not found")
	}
	if err != nil {
		return ImportJob{}, apperr.Wrap(err, "import job")
	}
	j.Failures = parseFailures(failures, maxJobFailures)
	return j, nil
}

// ImportJobByID returns a job within the actor's registry.import scope.
func (s *Service) ImportJobByID(ctx context.Context, id int64) (ImportJob, error) {
	if err := rbac.RequireAny(ctx, PermImport); err != nil {
		return ImportJob{}, err
	}
	j, err := s.importJob(ctx, id)
	if err != nil {
		return j, err
	}
	if err := rbac.Require(ctx, PermImport, j.unitPath); err != nil {
		return ImportJob{}, err
	}
	return j, nil
}

// ImportJobs lists the jobs within the actor's registry.import scope,
// newest first, with the total; Failures are left out of lists.
func (s *Service) ImportJobs(ctx context.Context, limit, offset int) ([]ImportJob, int, error) {
	if err := rbac.RequireAny(ctx, PermImport); err != nil {
		return nil, 0, err
	}
	limit, offset, err := db.Paging{Default: 50, Max: 200}.Apply(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	cond, args := rbac.ScopeOf(actor.From(ctx), PermImport).SQL("unit_path")
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM import_jobs WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "count import jobs")
	}
	rows, err := s.db.Query(ctx, `SELECT `+jobColumns+` FROM import_jobs WHERE `+cond+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "import jobs")
	}
	defer rows.Close()
	out := []ImportJob{}
	for rows.Next() {
		j, _, err := scanJob(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "import jobs")
		}
		j.Failures = nil
		out = append(out, j)
	}
	return out, total, rows.Err()
}

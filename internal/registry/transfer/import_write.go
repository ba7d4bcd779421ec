package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"gridgov/internal/registry"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
	"gridgov/internal/seal"
)

// gridPlace is a grid the importer may bind people to.
type gridPlace struct{ unit, path string }

// importer carries one import's state from batch to batch.
type importer struct {
	s     *Service
	job   ImportJob
	unit  registry.Territory
	opts  ImportOptions
	h     header
	grids map[string]gridPlace
	// seen maps a row identity (8 bytes of its blind index) to its line,
	// for duplicates within the file.
	seen   map[uint64]int
	now    time.Time
	stored int // failures stored so far
}

// newImporter loads the grids within the actor's import scope.
func (s *Service) newImporter(ctx context.Context, job ImportJob, unit registry.Territory, opts ImportOptions, h header) (*importer, error) {
	scope := rbac.ScopeOf(actor.From(ctx), PermImport)
	all, err := s.units.GridUnits(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "load grids")
	}
	grids := map[string]gridPlace{}
	for _, g := range all {
		if scope.Covers(g.Unit.Path) {
			grids[g.Grid] = gridPlace{unit: g.Unit.Code, path: g.Unit.Path}
		}
	}
	stored := job.Failed
	if stored > maxStoredFailures {
		stored = maxStoredFailures
	}
	return &importer{s: s, job: job, unit: unit, opts: opts, h: h, grids: grids,
		seen: make(map[uint64]int, job.RowsTotal), now: s.now(), stored: stored}, nil
}

// prow is one data row on its way to the database.
type prow struct {
	line int
	raw  []string
	in   registry.PersonInput
	ids  registry.SealedIDs
	grid *string
	unit gridPlace
	fail *RowFailure
	key  uint64 // identity for duplicates in the file
}

// run reads, prepares and writes the rows of t in batches. Reading and
// preparing (cleaning, placing, sealing) the next batch overlaps with
// writing the current one, so the writer — the single SQLite connection —
// never waits for the CPU work.
func (im *importer) run(ctx context.Context, t table) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*prow, 1)
	var readErr error
	// The rows a previous run of this job wrote; write advances
	// im.job.RowsDone as this run goes on.
	resumeAt := im.job.RowsDone
	go func() {
		defer close(batches)
		readErr = im.read(ctx, t, resumeAt, batches)
	}()
	done := 0
	for batch := range batches {
		// Batches end where the job's progress ended, so a resumed run
		// meets the same boundaries and skips the rows already written.
		resumed := done < resumeAt
		if !resumed {
			if err := im.write(ctx, batch); err != nil {
				cancel()
				for range batches {
				}
				return err
			}
		}
		done += len(batch)
		if im.opts.Progress != nil && !resumed {
			im.opts.Progress(done, im.job.RowsTotal)
		}
	}
	return readErr
}

// read reads the rows of t into prepared batches, in file order; a batch
// ends at resumeAt, so that a resumed run skips whole batches.
func (im *importer) read(ctx context.Context, t table, resumeAt int, out chan<- []*prow) error {
	done := 0
	batch := make([]*prow, 0, im.opts.BatchSize)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		im.prepare(batch)
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		done += len(batch)
		batch = make([]*prow, 0, im.opts.BatchSize)
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, line, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return apperr.New(apperr.Invalid, fmt.Sprintf("line %d cannot be read: %v", line, err))
		}
		if blankRow(row) {
			continue
		}
		batch = append(batch, &prow{line: line, raw: append([]string(nil), row...)})
		if len(batch) == im.opts.BatchSize || done+len(batch) == resumeAt {
			if err := send(); err != nil {
				return err
			}
		}
	}
	return send()
}

// blankRow reports whether every cell is empty (a trailing line).
func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// prepare cleans, places and seals the rows of a batch, in parallel, then
// checks duplicates within the file in file order.
func (im *importer) prepare(batch []*prow) {
	workers := runtime.GOMAXPROCS(0)
	if workers > 8 {
		workers = 8
	}
	var wg sync.WaitGroup
	per := (len(batch) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, len(batch))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(rows []*prow) {
			defer wg.Done()
			for _, r := range rows {
				im.prepareRow(r)
			}
		}(batch[lo:hi])
	}
	wg.Wait()
	for _, r := range batch {
		if r.fail != nil {
			continue
		}
		if first, ok := im.seen[r.key]; ok {
			r.fail = rowFailure(r.line, "id_number", apperr.P(apperr.ImportDuplicateLine, "line", first))
			if r.in.IDNumber == "" {
				r.fail.Field = "name"
			}
			continue
		}
		im.seen[r.key] = r.line
	}
}

// prepareRow cleans one row; a problem becomes its failure.
func (im *importer) prepareRow(r *prow) {
	in := im.h.toInput(r.raw, im.unit.Unit, im.opts.Source)
	rawID, rawPhone := in.IDNumber, in.Phone
	if err := registry.CleanPerson(&in, im.now); err != nil {
		r.fail = failureOf(r.line, err, rawID, rawPhone)
		return
	}
	if in.GridCode != "" {
		p, ok := im.grids[in.GridCode]
		if !ok {
			r.fail = rowFailure(r.line, "grid_code", apperr.P(apperr.UnknownGrid, "code", in.GridCode))
			return
		}
		g := in.GridCode
		r.grid, r.unit = &g, p
	} else {
		r.unit = gridPlace{unit: im.unit.Unit, path: im.unit.Path}
	}
	ids, err := registry.SealPerson(im.s.seal, in)
	if err != nil {
		r.fail = rowFailure(r.line, "", apperr.P(apperr.ImportCannotSeal))
		return
	}
	r.in, r.ids = in, ids
	if ids.IDBidx != nil {
		r.key = binary.BigEndian.Uint64(ids.IDBidx)
	} else {
		sum := sha256.Sum256([]byte(strings.Join([]string{"noid", in.Name, in.BirthDate, string(ids.PhoneBidx), r.unit.unit}, "\x00")))
		r.key = binary.BigEndian.Uint64(sum[:])
	}
}

// failureOf turns a validation error into a failure whose problem never
// holds the plain ID number or phone.
func failureOf(line int, err error, rawID, rawPhone string) *RowFailure {
	f := &RowFailure{Line: line, Problem: err.Error()}
	if ae := apperr.As(err); ae != nil && len(ae.Fields) > 0 {
		fields := make([]string, 0, len(ae.Fields))
		for k := range ae.Fields {
			fields = append(fields, k)
		}
		sortStrings(fields)
		f.Field = fields[0]
		f.Problems = ae.Problems
		f.Problem = f.Text(apperr.English)
	}
	for _, v := range []string{rawID, strings.TrimSpace(rawID), rawPhone, strings.TrimSpace(rawPhone)} {
		if len(v) >= 4 {
			f.Problem = strings.ReplaceAll(f.Problem, v, seal.MaskID(v))
		}
	}
	return f
}

// counts are what a batch did.
type counts struct {
	inserted, updated, unchanged, failed int
	// updatedIDs are the people the batch changed, for the audit entry.
	updatedIDs []int64
}

// write stores a batch in one transaction: the people, the job's progress
// and one audit entry.
func (im *importer) write(ctx context.Context, batch []*prow) error {
	var c counts
	var failLines []string
	err := im.s.db.WithTx(ctx, func(ctx context.Context) error {
		c, failLines = counts{}, nil
		var rows []*registry.BulkRow
		var of []*prow
		for _, r := range batch {
			if r.fail != nil {
				c.failed++
				continue
			}
			rows = append(rows, &registry.BulkRow{In: r.in, IDs: r.ids, Grid: r.grid, Unit: r.unit.unit,
				Path: r.unit.path})
			of = append(of, r)
		}
		bc, err := im.s.reg.WriteBatch(ctx, rows, im.now)
		if err != nil {
			return err
		}
		for i, b := range rows {
			if b.Refused.Code != "" {
				of[i].fail = rowFailure(of[i].line, "id_number", b.Refused)
			}
		}
		c.inserted, c.updated, c.unchanged = bc.Inserted, bc.Updated, bc.Unchanged
		c.failed += bc.Refused
		c.updatedIDs = bc.UpdatedIDs
		failLines = im.failureLines(batch)
		return im.advance(ctx, batch, c, failLines)
	})
	if err != nil {
		return err
	}
	im.job.RowsDone += len(batch)
	im.job.Inserted += c.inserted
	im.job.Updated += c.updated
	im.job.Unchanged += c.unchanged
	im.job.Failed += c.failed
	im.stored += len(failLines)
	return nil
}

// failureLines are the JSON lines of the batch's failures still to store.
func (im *importer) failureLines(batch []*prow) []string {
	var out []string
	for _, r := range batch {
		if r.fail == nil || im.stored+len(out) >= maxStoredFailures {
			continue
		}
		r.fail.Row = im.h.masked(r.raw)
		b, _ := json.Marshal(r.fail)
		out = append(out, string(b))
	}
	return out
}

// advance moves the job past the batch and audits the batch.
func (im *importer) advance(ctx context.Context, batch []*prow, c counts, failLines []string) error {
	add := ""
	if len(failLines) > 0 {
		add = strings.Join(failLines, "\n") + "\n"
	}
	if _, err := im.s.db.Exec(ctx, `UPDATE import_jobs SET rows_done = rows_done + ?, inserted = inserted + ?,
		updated = updated + ?, unchanged = unchanged + ?, failed = failed + ?, failures = failures || ?, updated_at = ?
		WHERE id = ?`, len(batch), c.inserted, c.updated, c.unchanged, c.failed, add, im.now, im.job.ID); err != nil {
		return apperr.Wrap(err, "advance import job")
	}
	return im.s.audit.Record(ctx, audit.Entry{Action: "person.import", ObjectType: "import_job",
		ObjectID: fmt.Sprint(im.job.ID), Result: audit.Success, Detail: map[string]any{"job_id": im.job.ID,
			"first_line": batch[0].line, "last_line": batch[len(batch)-1].line, "inserted": c.inserted,
			"updated": c.updated, "updated_ids": c.updatedIDs, "unchanged": c.unchanged, "failed": c.failed}})
}

// sortStrings sorts a few strings in place.
func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
	"gridgov/internal/seal"
)

// gridPlace is a grid the importer may bind people to.
type gridPlace struct{ unit, path string }

// importer carries one import's state from batch to batch.
type importer struct {
	s     *Service
	job   ImportJob
	unit  Territory
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
func (s *Service) newImporter(ctx context.Context, job ImportJob, unit Territory, opts ImportOptions, h header) (*importer, error) {
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
	in   PersonInput
	ids  SealedIDs
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
	if err := CleanPerson(&in, im.now); err != nil {
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
	ids, err := SealPerson(im.s.seal, in)
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

// existing is a stored live person as the import compares it.
type existing struct {
	id                                                       int64
	idType, name, gender, birth                              string
	phoneBidx                                                []byte
	nation, nationality, education, marital, political, kind string
	hukou, address, workplace                                string
	grid                                                     *string
	unit, path, source, sourceRef                            string
	keyGroup                                                 bool
}

const existingColumns = `id, id_type, name, gender, birth_date, phone_bidx, nation, nationality, education, marital,
	political, person_type, hukou_address, address, workplace, grid_code, unit_code, unit_path, source, source_ref,
	key_group`

func scanExisting(sc interface{ Scan(...any) error }, bidx *[]byte) (existing, error) {
	var e existing
	dest := []any{&e.id, &e.idType, &e.name, &e.gender, &e.birth, &e.phoneBidx, &e.nation, &e.nationality,
		&e.education, &e.marital, &e.political, &e.kind, &e.hukou, &e.address, &e.workplace, &e.grid, &e.unit,
		&e.path, &e.source, &e.sourceRef, &e.keyGroup}
	if bidx != nil {
		dest = append(dest, bidx)
	}
	err := sc.Scan(dest...)
	return e, err
}

// same reports whether the stored person equals row r.
func (e existing) same(r *prow) bool {
	in := r.in
	return e.idType == in.IDType && e.name == in.Name && e.gender == in.Gender && e.birth == in.BirthDate &&
		bytes.Equal(e.phoneBidx, r.ids.PhoneBidx) && e.nation == in.Nation && e.nationality == in.Nationality &&
		e.education == in.Education && e.marital == in.Marital && e.political == in.Political &&
		e.kind == in.PersonType && e.hukou == in.HukouAddress && e.address == in.Address &&
		e.workplace == in.Workplace && eqGrid(e.grid, r.grid) && e.unit == r.unit.unit &&
		e.source == string(in.Source) && e.sourceRef == in.SourceRef
}

func eqGrid(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
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
		found, err := im.lookup(ctx, batch)
		if err != nil {
			return err
		}
		var fresh []*prow
		for _, r := range batch {
			if r.fail != nil {
				c.failed++
				continue
			}
			e, ok := found[r]
			if !ok {
				fresh = append(fresh, r)
				continue
			}
			if problem := im.refuse(ctx, e); problem.Code != "" {
				r.fail = rowFailure(r.line, "id_number", problem)
				c.failed++
				continue
			}
			if r.grid == nil && e.grid != nil {
				// The file does not know the grid; keep the one given since.
				r.grid, r.unit = e.grid, gridPlace{unit: e.unit, path: e.path}
			}
			if e.same(r) {
				c.unchanged++
				continue
			}
			if err := im.update(ctx, e, r); err != nil {
				return err
			}
			c.updated++
			c.updatedIDs = append(c.updatedIDs, e.id)
		}
		if err := im.insert(ctx, fresh); err != nil {
			return err
		}
		c.inserted = len(fresh)
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

// lookup finds the stored live people of a batch's rows: by blind index
// in one query, and one by one for rows without an ID number. (A removed
// person's blind index has moved out of id_bidx, see RemovePerson.)
func (im *importer) lookup(ctx context.Context, batch []*prow) (map[*prow]existing, error) {
	found := map[*prow]existing{}
	byIdx := map[string]*prow{}
	var args []any
	for _, r := range batch {
		if r.fail != nil {
			continue
		}
		if r.ids.IDBidx == nil {
			e, ok, err := im.lookupNoID(ctx, r)
			if err != nil {
				return nil, err
			}
			if ok {
				found[r] = e
			}
			continue
		}
		byIdx[string(r.ids.IDBidx)] = r
		args = append(args, r.ids.IDBidx)
	}
	const chunk = 500
	for lo := 0; lo < len(args); lo += chunk {
		part := args[lo:min(lo+chunk, len(args))]
		rows, err := im.s.db.Query(ctx, `SELECT `+existingColumns+`, id_bidx FROM people WHERE id_bidx IN (`+
			placeholders(len(part))+`) AND deleted_at IS NULL`, part...)
		if err != nil {
			return nil, apperr.Wrap(err, "look up people")
		}
		for rows.Next() {
			var bidx []byte
			e, err := scanExisting(rows, &bidx)
			if err != nil {
				rows.Close()
				return nil, apperr.Wrap(err, "look up people")
			}
			if r := byIdx[string(bidx)]; r != nil {
				found[r] = e
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, apperr.Wrap(err, "look up people")
		}
	}
	return found, nil
}

// lookupNoID finds a live person without ID number by name, birth date,
// phone and unit.
func (im *importer) lookupNoID(ctx context.Context, r *prow) (existing, bool, error) {
	q := `SELECT ` + existingColumns + ` FROM people WHERE id_bidx IS NULL AND deleted_at IS NULL AND name = ? AND
		birth_date = ? AND unit_code = ? AND `
	args := []any{r.in.Name, r.in.BirthDate, r.unit.unit}
	if r.ids.PhoneBidx == nil {
		q += `phone_bidx IS NULL`
	} else {
		q += `phone_bidx = ?`
		args = append(args, r.ids.PhoneBidx)
	}
	rows, err := im.s.db.Query(ctx, q+` ORDER BY id LIMIT 1`, args...)
	if err != nil {
		return existing{}, false, apperr.Wrap(err, "look up person")
	}
	defer rows.Close()
	if !rows.Next() {
		return existing{}, false, rows.Err()
	}
	e, err := scanExisting(rows, nil)
	if err != nil {
		return existing{}, false, apperr.Wrap(err, "look up person")
	}
	return e, true, nil
}

// refuse says why a row matching stored live person e may not change
// them, or "": an import only updates people within the importer's import
// scope (key-group people also need registry.keygroup there). Out of scope
// and key group read the same, so that the answer tells no more than the
// ID-card number's uniqueness does. Removed people are never matched: a
// row whose number only a removed person had becomes a new person.
func (im *importer) refuse(ctx context.Context, e existing) apperr.Problem {
	a := actor.From(ctx)
	switch {
	case !rbac.Can(a, PermImport, e.path), !KeyGroupAllows(a, e.path, e.keyGroup):
		return apperr.P(apperr.ImportOutsideScope)
	}
	return apperr.Problem{}
}

// placeholders returns "?, ?, …" n times.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// insertColumns are the columns the import writes.
const insertColumns = `id_type, id_enc, id_bidx, id_mask, name, gender, birth_date, phone_enc, phone_bidx, phone_mask,
	nation, nationality, education, marital, political, person_type, hukou_address, address, workplace, grid_code,
	unit_code, unit_path, source, source_ref, created_at, updated_at`

// nInsertColumns is the number of insertColumns.
const nInsertColumns = 26

// insertChunk is the number of rows per multi-row INSERT.
const insertChunk = 100

// insert writes new people, insertChunk rows per statement (the rest one
// by one, so that few statement texts exist); on PostgreSQL all of them
// in one statement (insertUnnest).
func (im *importer) insert(ctx context.Context, rows []*prow) error {
	if im.s.db.Dialect == db.Postgres {
		return im.insertUnnest(ctx, rows)
	}
	one := "(" + placeholders(nInsertColumns) + ")"
	full := `INSERT INTO people (` + insertColumns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", insertChunk), ", ")
	single := `INSERT INTO people (` + insertColumns + `) VALUES ` + one
	args := make([]any, 0, insertChunk*nInsertColumns)
	i := 0
	for ; i+insertChunk <= len(rows); i += insertChunk {
		args = args[:0]
		for _, r := range rows[i : i+insertChunk] {
			args = im.insertArgs(args, r)
		}
		if _, err := im.s.db.Exec(ctx, full, args...); err != nil {
			return apperr.Wrap(err, "insert people")
		}
	}
	for ; i < len(rows); i++ {
		if _, err := im.s.db.Exec(ctx, single, im.insertArgs(args[:0], rows[i])...); err != nil {
			return apperr.Wrap(err, "insert person")
		}
	}
	return nil
}

// unnestInsert inserts rows given as one array per column (the times are
// the same for every row of a batch).
const unnestInsert = `INSERT INTO people (` + insertColumns + `)
	SELECT u.*, ?::timestamptz, ?::timestamptz FROM unnest(?::text[], ?::bytea[], ?::bytea[], ?::text[], ?::text[],
		?::text[], ?::text[], ?::bytea[], ?::bytea[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
		?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS u`

// insertUnnest writes new people on PostgreSQL in one statement whose
// parameters are one array per column: the server parses and plans one
// statement per batch instead of one per insertChunk rows of 26
// parameters each.
func (im *importer) insertUnnest(ctx context.Context, rows []*prow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	text := func() []string { return make([]string, n) }
	bin := func() [][]byte { return make([][]byte, n) }
	idType, idEnc, idBidx, idMask, name, gender, birth := text(), bin(), bin(), text(), text(), text(), text()
	phoneEnc, phoneBidx, phoneMask := bin(), bin(), text()
	nation, nationality, education, marital, political, kind := text(), text(), text(), text(), text(), text()
	hukou, address, workplace := text(), text(), text()
	grid := make([]*string, n)
	unit, path, source, sourceRef := text(), text(), text(), text()
	for i, r := range rows {
		in := r.in
		idType[i], idEnc[i], idBidx[i], idMask[i] = in.IDType, r.ids.IDEnc, r.ids.IDBidx, r.ids.IDMask
		name[i], gender[i], birth[i] = in.Name, in.Gender, in.BirthDate
		phoneEnc[i], phoneBidx[i], phoneMask[i] = r.ids.PhoneEnc, r.ids.PhoneBidx, r.ids.PhoneMask
		nation[i], nationality[i], education[i], marital[i] = in.Nation, in.Nationality, in.Education, in.Marital
		political[i], kind[i], hukou[i], address[i], workplace[i] = in.Political, in.PersonType, in.HukouAddress,
			in.Address, in.Workplace
		grid[i], unit[i], path[i] = r.grid, r.unit.unit, r.unit.path
		source[i], sourceRef[i] = string(in.Source), in.SourceRef
	}
	if _, err := im.s.db.Exec(ctx, unnestInsert, im.now, im.now, idType, idEnc, idBidx, idMask, name, gender, birth,
		phoneEnc, phoneBidx, phoneMask, nation, nationality, education, marital, political, kind, hukou, address,
		workplace, grid, unit, path, source, sourceRef); err != nil {
		return apperr.Wrap(err, "insert people")
	}
	return nil
}

// insertArgs appends the values of r in insertColumns order.
func (im *importer) insertArgs(args []any, r *prow) []any {
	in := r.in
	var grid any
	if r.grid != nil {
		grid = *r.grid
	}
	return append(args, in.IDType, nilBytes(r.ids.IDEnc), nilBytes(r.ids.IDBidx), r.ids.IDMask, in.Name, in.Gender,
		in.BirthDate, nilBytes(r.ids.PhoneEnc), nilBytes(r.ids.PhoneBidx), r.ids.PhoneMask, in.Nation, in.Nationality,
		in.Education, in.Marital, in.Political, in.PersonType, in.HukouAddress, in.Address, in.Workplace, grid,
		r.unit.unit, r.unit.path, string(in.Source), in.SourceRef, im.now, im.now)
}

// nilBytes passes an empty value as NULL.
func nilBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// update rewrites a stored person from row r; the ID number is the
// identity and so is kept, the phone re-sealed only when it changed.
func (im *importer) update(ctx context.Context, e existing, r *prow) error {
	in := r.in
	var grid any
	if r.grid != nil {
		grid = *r.grid
	}
	phoneEnc := any(nil)
	q := `UPDATE people SET id_type = ?, name = ?, gender = ?, birth_date = ?, nation = ?, nationality = ?, education = ?,
		marital = ?, political = ?, person_type = ?, hukou_address = ?, address = ?, workplace = ?, grid_code = ?,
		unit_code = ?, unit_path = ?, source = ?, source_ref = ?, version = version + 1, updated_at = ?`
	args := []any{in.IDType, in.Name, in.Gender, in.BirthDate, in.Nation, in.Nationality, in.Education, in.Marital,
		in.Political, in.PersonType, in.HukouAddress, in.Address, in.Workplace, grid, r.unit.unit, r.unit.path,
		string(in.Source), in.SourceRef, im.now}
	if !bytes.Equal(e.phoneBidx, r.ids.PhoneBidx) {
		phoneEnc = nilBytes(r.ids.PhoneEnc)
		q += `, phone_enc = ?, phone_bidx = ?, phone_mask = ?`
		args = append(args, phoneEnc, nilBytes(r.ids.PhoneBidx), r.ids.PhoneMask)
	}
	if _, err := im.s.db.Exec(ctx, q+` WHERE id = ?`, append(args, e.id)...); err != nil {
		return apperr.Wrap(err, "update person")
	}
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

package registry

import (
	"bytes"
	"context"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// BulkRow is one person of a bulk write (a row of an import), already
// cleaned (CleanPerson) and sealed (SealPerson): In and IDs are what is
// stored, Grid the grid (nil: none) and Unit and Path the unit it is bound
// to — the grid's, or the importing unit awaiting a grid. WriteBatch sets
// Refused when the row matches a stored person the actor may not change.
type BulkRow struct {
	In      PersonInput
	IDs     SealedIDs
	Grid    *string
	Unit    string
	Path    string
	Refused apperr.Problem
}

// BulkCounts are what WriteBatch did with a batch: people inserted,
// updated (UpdatedIDs, for the caller's audit entry), unchanged, and rows
// refused.
type BulkCounts struct {
	Inserted, Updated, Unchanged, Refused int
	UpdatedIDs                            []int64
}

// bulk carries one WriteBatch.
type bulk struct {
	s   *Service
	now time.Time
}

// WriteBatch stores a batch of people for an import, at time now, in the
// transaction of ctx if there is one (an import writes its batch, its
// job's progress and its audit entry in one db.WithTx). Identity: the
// blind index of the ID-card number; for a row without one, its name,
// birth date, phone and unit. A row whose live person exists is compared
// with the stored columns and updated only when it differs, and only
// within the actor's registry.import scope (key-group people also need
// registry.keygroup there; otherwise Refused). A row with no grid does
// not take away a grid the person has since been given. The rest are
// inserted, in few statements.
func (s *Service) WriteBatch(ctx context.Context, rows []*BulkRow, now time.Time) (BulkCounts, error) {
	b := &bulk{s: s, now: now}
	var c BulkCounts
	found, err := b.lookup(ctx, rows)
	if err != nil {
		return c, err
	}
	var fresh []*BulkRow
	for _, r := range rows {
		e, ok := found[r]
		if !ok {
			fresh = append(fresh, r)
			continue
		}
		if problem := b.refuse(ctx, e); problem.Code != "" {
			r.Refused = problem
			c.Refused++
			continue
		}
		if r.Grid == nil && e.grid != nil {
			// The file does not know the grid; keep the one given since.
			r.Grid, r.Unit, r.Path = e.grid, e.unit, e.path
		}
		if e.same(r) {
			c.Unchanged++
			continue
		}
		if err := b.update(ctx, e, r); err != nil {
			return c, err
		}
		c.Updated++
		c.UpdatedIDs = append(c.UpdatedIDs, e.id)
	}
	if err := b.insert(ctx, fresh); err != nil {
		return c, err
	}
	c.Inserted = len(fresh)
	return c, nil
}

// PrepareBulkIndexes prepares the indexes of people for an import with
// rows left to write: a large one (at least minRows rows, see
// shouldDefer) drops the deferred indexes and the returned function
// builds them again; any other makes sure they exist (a resumed import
// after a crash) and the function does nothing.
func (s *Service) PrepareBulkIndexes(ctx context.Context, rows, minRows int) (func() error, error) {
	large, err := s.shouldDefer(ctx, rows, minRows)
	if err != nil {
		return nil, err
	}
	if large {
		return s.deferIndexes(ctx)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		return nil, err
	}
	return func() error { return nil }, nil
}

// existing is a stored live person as a bulk write compares it.
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
func (e existing) same(r *BulkRow) bool {
	in := r.In
	return e.idType == in.IDType && e.name == in.Name && e.gender == in.Gender && e.birth == in.BirthDate &&
		bytes.Equal(e.phoneBidx, r.IDs.PhoneBidx) && e.nation == in.Nation && e.nationality == in.Nationality &&
		e.education == in.Education && e.marital == in.Marital && e.political == in.Political &&
		e.kind == in.PersonType && e.hukou == in.HukouAddress && e.address == in.Address &&
		e.workplace == in.Workplace && eqGrid(e.grid, r.Grid) && e.unit == r.Unit &&
		e.source == string(in.Source) && e.sourceRef == in.SourceRef
}

func eqGrid(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// lookup finds the stored live people of a batch's rows: by blind index
// in one query, and one by one for rows without an ID number. (A removed
// person's blind index has moved out of id_bidx, see RemovePerson.)
func (b *bulk) lookup(ctx context.Context, batch []*BulkRow) (map[*BulkRow]existing, error) {
	found := map[*BulkRow]existing{}
	byIdx := map[string]*BulkRow{}
	var args []any
	for _, r := range batch {
		if r.IDs.IDBidx == nil {
			e, ok, err := b.lookupNoID(ctx, r)
			if err != nil {
				return nil, err
			}
			if ok {
				found[r] = e
			}
			continue
		}
		byIdx[string(r.IDs.IDBidx)] = r
		args = append(args, r.IDs.IDBidx)
	}
	const chunk = 500
	for lo := 0; lo < len(args); lo += chunk {
		part := args[lo:min(lo+chunk, len(args))]
		rows, err := b.s.db.Query(ctx, `SELECT `+existingColumns+`, id_bidx FROM people WHERE id_bidx IN (`+
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
func (b *bulk) lookupNoID(ctx context.Context, r *BulkRow) (existing, bool, error) {
	q := `SELECT ` + existingColumns + ` FROM people WHERE id_bidx IS NULL AND deleted_at IS NULL AND name = ? AND
		birth_date = ? AND unit_code = ? AND `
	args := []any{r.In.Name, r.In.BirthDate, r.Unit}
	if r.IDs.PhoneBidx == nil {
		q += `phone_bidx IS NULL`
	} else {
		q += `phone_bidx = ?`
		args = append(args, r.IDs.PhoneBidx)
	}
	rows, err := b.s.db.Query(ctx, q+` ORDER BY id LIMIT 1`, args...)
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
func (b *bulk) refuse(ctx context.Context, e existing) apperr.Problem {
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
func (b *bulk) insert(ctx context.Context, rows []*BulkRow) error {
	if b.s.db.Dialect == db.Postgres {
		return b.insertUnnest(ctx, rows)
	}
	one := "(" + placeholders(nInsertColumns) + ")"
	full := `INSERT INTO people (` + insertColumns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", insertChunk), ", ")
	single := `INSERT INTO people (` + insertColumns + `) VALUES ` + one
	args := make([]any, 0, insertChunk*nInsertColumns)
	i := 0
	for ; i+insertChunk <= len(rows); i += insertChunk {
		args = args[:0]
		for _, r := range rows[i : i+insertChunk] {
			args = b.insertArgs(args, r)
		}
		if _, err := b.s.db.Exec(ctx, full, args...); err != nil {
			return apperr.Wrap(err, "insert people")
		}
	}
	for ; i < len(rows); i++ {
		if _, err := b.s.db.Exec(ctx, single, b.insertArgs(args[:0], rows[i])...); err != nil {
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
func (b *bulk) insertUnnest(ctx context.Context, rows []*BulkRow) error {
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
		in := r.In
		idType[i], idEnc[i], idBidx[i], idMask[i] = in.IDType, r.IDs.IDEnc, r.IDs.IDBidx, r.IDs.IDMask
		name[i], gender[i], birth[i] = in.Name, in.Gender, in.BirthDate
		phoneEnc[i], phoneBidx[i], phoneMask[i] = r.IDs.PhoneEnc, r.IDs.PhoneBidx, r.IDs.PhoneMask
		nation[i], nationality[i], education[i], marital[i] = in.Nation, in.Nationality, in.Education, in.Marital
		political[i], kind[i], hukou[i], address[i], workplace[i] = in.Political, in.PersonType, in.HukouAddress,
			in.Address, in.Workplace
		grid[i], unit[i], path[i] = r.Grid, r.Unit, r.Path
		source[i], sourceRef[i] = string(in.Source), in.SourceRef
	}
	if _, err := b.s.db.Exec(ctx, unnestInsert, b.now, b.now, idType, idEnc, idBidx, idMask, name, gender, birth,
		phoneEnc, phoneBidx, phoneMask, nation, nationality, education, marital, political, kind, hukou, address,
		workplace, grid, unit, path, source, sourceRef); err != nil {
		return apperr.Wrap(err, "insert people")
	}
	return nil
}

// insertArgs appends the values of r in insertColumns order.
func (b *bulk) insertArgs(args []any, r *BulkRow) []any {
	in := r.In
	var grid any
	if r.Grid != nil {
		grid = *r.Grid
	}
	return append(args, in.IDType, nilBytes(r.IDs.IDEnc), nilBytes(r.IDs.IDBidx), r.IDs.IDMask, in.Name, in.Gender,
		in.BirthDate, nilBytes(r.IDs.PhoneEnc), nilBytes(r.IDs.PhoneBidx), r.IDs.PhoneMask, in.Nation, in.Nationality,
		in.Education, in.Marital, in.Political, in.PersonType, in.HukouAddress, in.Address, in.Workplace, grid,
		r.Unit, r.Path, string(in.Source), in.SourceRef, b.now, b.now)
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
func (b *bulk) update(ctx context.Context, e existing, r *BulkRow) error {
	in := r.In
	var grid any
	if r.Grid != nil {
		grid = *r.Grid
	}
	phoneEnc := any(nil)
	q := `UPDATE people SET id_type = ?, name = ?, gender = ?, birth_date = ?, nation = ?, nationality = ?, education = ?,
		marital = ?, political = ?, person_type = ?, hukou_address = ?, address = ?, workplace = ?, grid_code = ?,
		unit_code = ?, unit_path = ?, source = ?, source_ref = ?, version = version + 1, updated_at = ?`
	args := []any{in.IDType, in.Name, in.Gender, in.BirthDate, in.Nation, in.Nationality, in.Education, in.Marital,
		in.Political, in.PersonType, in.HukouAddress, in.Address, in.Workplace, grid, r.Unit, r.Path,
		string(in.Source), in.SourceRef, b.now}
	if !bytes.Equal(e.phoneBidx, r.IDs.PhoneBidx) {
		phoneEnc = nilBytes(r.IDs.PhoneEnc)
		q += `, phone_enc = ?, phone_bidx = ?, phone_mask = ?`
		args = append(args, phoneEnc, nilBytes(r.IDs.PhoneBidx), r.IDs.PhoneMask)
	}
	if _, err := b.s.db.Exec(ctx, q+` WHERE id = ?`, append(args, e.id)...); err != nil {
		return apperr.Wrap(err, "update person")
	}
	return nil
}

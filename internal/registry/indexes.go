package registry

import (
	"context"
	"sync"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// deferredIndex is a secondary index on people that a large import drops
// at its start and builds again at its end.
type deferredIndex struct {
	name string
	// def is the CREATE INDEX statement exactly as the migrations wrote it
	// (SQLite keeps the statement's text in sqlite_master).
	def string
}

// deferredIndexes are the secondary indexes of people that a large import
// builds after loading instead of inserting into them row by row: their
// keys are random (phone blind index) or spread over the table (unit
// path, grid, name), so at a million people every row costs a B-tree insert
// into a page that is not in the cache. They are the migrations' own
// definitions (0010, 0015) and must stay identical to them: a test
// compares the schema before and after an import.
//
// Kept during an import: the UNIQUE index on id_bidx, the only index the
// import's own queries use (the batch lookup by blind index, and
// lookupNoID, which SQLite plans on id_bidx IS NULL), and the partial
// indexes people_household and people_house (an import writes neither
// column, so they cost it nothing).
var deferredIndexes = []deferredIndex{
	{"people_scope", `CREATE INDEX people_scope ON people(unit_path, id)`},
	{"people_grid", `CREATE INDEX people_grid ON people(grid_code, id)`},
	{"people_name", `CREATE INDEX people_name ON people(name, id)`},
	{"people_phone", `CREATE INDEX people_phone ON people(phone_bidx) WHERE phone_bidx IS NOT NULL`},
}

// deferHolds counts, per database, the imports of this process that are
// running with the indexes dropped: the first drops them, the last builds
// them again, and EnsureIndexes leaves them alone meanwhile.
var deferHolds = struct {
	sync.Mutex
	n map[*db.DB]int
}{n: map[*db.DB]int{}}

// shouldDefer reports whether an import with rows left to write is large
// relative to the table: at least minRows rows and more than the live
// people stored, so that one sorted build of each index over the whole
// table (CREATE INDEX) is cheaper than inserting the rows into it one by
// one. Only on SQLite: on PostgreSQL it did not win (see docs/registry.md).
func (s *Service) shouldDefer(ctx context.Context, rows, minRows int) (bool, error) {
	if s.db.Dialect != db.SQLite || rows < minRows {
		return false, nil
	}
	var live int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM people WHERE deleted_at IS NULL`).Scan(&live); err != nil {
		return false, apperr.Wrap(err, "count people")
	}
	return rows > live, nil
}

// deferIndexes drops the deferred indexes for a large import (unless
// another import of this process already did) and returns what builds
// them again once the last such import ends, whatever its outcome. Until
// then, queries that would use them read the table instead: correct
// answers, slower. A process that dies in between leaves them dropped
// until EnsureIndexes runs (at start, and at the start of every import).
func (s *Service) deferIndexes(ctx context.Context) (func() error, error) {
	deferHolds.Lock()
	defer deferHolds.Unlock()
	if deferHolds.n[s.db] == 0 {
		for _, ix := range deferredIndexes {
			if _, err := s.db.Exec(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
				err = apperr.Wrap(err, "drop index "+ix.name)
				if rerr := s.createIndexes(context.WithoutCancel(ctx)); rerr != nil {
					return nil, rerr
				}
				return nil, err
			}
		}
	}
	deferHolds.n[s.db]++
	return func() error {
		deferHolds.Lock()
		defer deferHolds.Unlock()
		deferHolds.n[s.db]--
		if deferHolds.n[s.db] > 0 {
			return nil
		}
		delete(deferHolds.n, s.db)
		return s.createIndexes(context.WithoutCancel(ctx))
	}, nil
}

// EnsureIndexes creates any of the secondary indexes of people that an
// import drops while it loads (people_scope, people_grid, people_phone)
// and that are missing — after a process died during a large import —
// with the migrations' definitions. It does nothing while an import of
// this process holds them dropped. Call it when the application opens.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	deferHolds.Lock()
	defer deferHolds.Unlock()
	if deferHolds.n[s.db] > 0 {
		return nil
	}
	return s.createIndexes(ctx)
}

// createIndexes creates the missing deferred indexes.
func (s *Service) createIndexes(ctx context.Context) error {
	for _, ix := range deferredIndexes {
		q := "CREATE INDEX IF NOT EXISTS " + ix.def[len("CREATE INDEX "):]
		if _, err := s.db.Exec(ctx, q); err != nil {
			return apperr.Wrap(err, "create index "+ix.name)
		}
	}
	return nil
}

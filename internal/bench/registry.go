package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/registry/transfer"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// The registry workloads.
const (
	WorkloadPeopleImport = "people-import"
	WorkloadPeopleSearch = "people-search"
)

// DefaultPeople is the number of people of a registry run.
const DefaultPeople = 1_000_000

// searchLookups is the number of ID-card lookups timed.
const searchLookups = 2000

// RegistryDeps are what the registry workloads run on.
type RegistryDeps struct {
	DB       *db.DB
	Registry *registry.Service
	Transfer *transfer.Service // imports the people
	// Where is the SQLite file (for its size); empty on PostgreSQL.
	Where string
}

// RegistryOptions tune a registry run.
type RegistryOptions struct {
	// People is the number of synthetic people; 0 means DefaultPeople.
	People int
	// BatchSize is the rows per transaction on both sides; 0 means
	// transfer.DefaultImportBatch.
	BatchSize int
	// Dir holds the generated CSV file; empty means a temporary directory.
	Dir string
	// Progress, when set, follows the import.
	Progress func(done, total int)
}

// RegistryResult is one measured registry workload, printed as one JSON
// line.
type RegistryResult struct {
	Workload      string  `json:"workload"`
	RowsPerSec    float64 `json:"rows_per_sec,omitempty"`
	RawRowsPerSec float64 `json:"raw_rows_per_sec,omitempty"`
	Ratio         float64 `json:"ratio,omitempty"`
	P50ms         float64 `json:"p50_ms,omitempty"`
	P99ms         float64 `json:"p99_ms,omitempty"`
	Rows          int     `json:"rows"`
	Database      string  `json:"database"`
	DBBytes       int64   `json:"db_bytes,omitempty"`
	Seconds       float64 `json:"seconds,omitempty"`
	RawSeconds    float64 `json:"raw_seconds,omitempty"`
	Inserted      int     `json:"inserted,omitempty"`
	Failed        int     `json:"failed,omitempty"`
}

// Registry generates opts.People valid synthetic people in the demo's
// third-level grids, writes them to a CSV file, imports it through
// transfer.ImportPeople (validation, sealing, blind index, grid binding,
// batches with audit) and then INSERTs the same rows, identifiers in
// plain text, into the bare table bench_people_raw in batches of the same
// size (one transaction per batch, the same multi-row statements), and
// finally times searchLookups lookups by ID-card number through
// registry.People as the system actor. The imported people stay; the
// bare table is dropped. People already present shift the generated
// numbers, so a second run imports new people.
func Registry(ctx context.Context, deps RegistryDeps, opts RegistryOptions) ([]RegistryResult, error) {
	if deps.DB == nil || deps.Registry == nil || deps.Transfer == nil {
		return nil, apperr.New(apperr.Invalid, "bench: database and registry service required")
	}
	if opts.People == 0 {
		opts.People = DefaultPeople
	}
	if opts.People < 1 || opts.People > 10_000_000 {
		return nil, apperr.Field("people", apperr.IntRange, "min", 1, "max", 10000000)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = transfer.DefaultImportBatch
	}
	ctx = actor.With(ctx, actor.SystemActor("bench"))
	grids, err := benchGrids(ctx, deps.DB)
	if err != nil {
		return nil, err
	}
	offset, err := deps.Registry.PeopleRows(ctx)
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gridgov-bench-"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	}
	path := filepath.Join(dir, "people.csv")
	gen := personGen{grids: grids, offset: offset}
	if err := gen.writeCSV(path, opts.People); err != nil {
		return nil, err
	}
	start := time.Now()
	job, err := deps.Transfer.ImportPeople(ctx, path, transfer.ImportOptions{Source: registry.SourceBase,
		BatchSize: opts.BatchSize, Progress: opts.Progress, Filename: "bench-people.csv"})
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	took := time.Since(start)
	if job.Failed > 0 {
		return nil, apperr.Newf(apperr.Internal, "bench: %d generated rows failed (first: %+v)", job.Failed, job.Failures[0])
	}
	rawTook, err := gen.insertRaw(ctx, deps.DB, opts.People, opts.BatchSize)
	if err != nil {
		return nil, err
	}
	imp := RegistryResult{Workload: WorkloadPeopleImport, RowsPerSec: rate(opts.People, took),
		RawRowsPerSec: rate(opts.People, rawTook), Rows: opts.People, Database: string(deps.DB.Dialect),
		Seconds: secs(took), RawSeconds: secs(rawTook), Inserted: job.Inserted}
	imp.Ratio = ratio(imp.RowsPerSec, imp.RawRowsPerSec)
	if deps.Where != "" {
		imp.DBBytes = fileSize(deps.Where) + fileSize(deps.Where+"-wal")
	}
	search, err := gen.search(ctx, deps, opts.People)
	if err != nil {
		return nil, err
	}
	return []RegistryResult{imp, search}, nil
}

// benchGrids are the codes of the third-level grids.
func benchGrids(ctx context.Context, d *db.DB) ([]string, error) {
	all, err := orgdir.New(d).GridUnits(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "grids")
	}
	var out []string
	for _, g := range all {
		if g.Level == 3 {
			out = append(out, g.Grid)
		}
	}
	if len(out) == 0 {
		return nil, apperr.New(apperr.Invalid, "no third-level grid to place people in; seed the demo first")
	}
	return out, nil
}

// personGen makes the i-th synthetic person, deterministically.
type personGen struct {
	grids  []string
	offset int
}

var (
	benchSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
	benchGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志宏文俊")
	benchRegions  = []string{"410102", "410103", "410104", "410105", "410108", "410122", "410181", "410182", "410183", "410184"}
	benchStreets  = []string{"经八路", "花园路", "文化路", "纬五路", "农业路", "金水路", "黄河路", "丰产路"}
)

// row returns person n (n counts from the generator's offset) as
// template columns: id_number, name, gender, birth_date, phone, address,
// grid_code.
func (g personGen) row(n int) []string {
	i := g.offset + n
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i/1000)%25000)
	region := benchRegions[(i/25_000_000)%len(benchRegions)]
	id := seal.MakeIDNumber(fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), i%1000))
	name := string(benchSurnames[i%len(benchSurnames)]) + string(benchGiven[(i/7)%len(benchGiven)])
	if i%3 == 0 {
		name += string(benchGiven[(i/13)%len(benchGiven)])
	}
	phone := fmt.Sprintf("13%d%08d", 5+i%5, i%100_000_000)
	addr := fmt.Sprintf("郑州市%s%d号%d号楼%d室", benchStreets[i%len(benchStreets)], i%300+1, i%40+1, i%2000+101)
	return []string{id, name, "", "", phone, addr, g.grids[i%len(g.grids)]}
}

// writeCSV writes n people as a template CSV file.
func (g personGen) writeCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	_ = w.Write([]string{"id_number", "name", "gender", "birth_date", "phone", "address", "grid_code"})
	for i := 0; i < n; i++ {
		_ = w.Write(g.row(i))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rawPeopleTable is the bare baseline table of the registry run.
const rawPeopleTable = "bench_people_raw"

// rawPeopleDDL: the same columns as the import writes, identifiers in
// plain text, no index but the primary key, no foreign key.
const rawPeopleDDL = `CREATE TABLE ` + rawPeopleTable + ` (
    id          {ID},
    id_type     TEXT NOT NULL,
    id_number   TEXT,
    name        TEXT NOT NULL,
    gender      TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    phone       TEXT,
    nation      TEXT NOT NULL,
    nationality TEXT NOT NULL,
    education   TEXT NOT NULL,
    marital     TEXT NOT NULL,
    political   TEXT NOT NULL,
    person_type TEXT NOT NULL,
    hukou_address TEXT NOT NULL,
    address     TEXT NOT NULL,
    workplace   TEXT NOT NULL,
    grid_code   TEXT,
    unit_code   TEXT NOT NULL,
    unit_path   TEXT NOT NULL,
    source      TEXT NOT NULL,
    source_ref  TEXT NOT NULL,
    created_at  {TS} NOT NULL,
    updated_at  {TS} NOT NULL
)`

const rawPeopleCols = `id_type, id_number, name, gender, birth_date, phone, nation, nationality, education, marital,
	political, person_type, hukou_address, address, workplace, grid_code, unit_code, unit_path, source, source_ref,
	created_at, updated_at`

const rawPeopleNCols = 22

// rawChunk is the rows per multi-row INSERT, as on the import side.
const rawChunk = 100

// insertRaw inserts the same n people into the bare table in batches of
// batch rows, one transaction per batch, and returns the time taken.
func (g personGen) insertRaw(ctx context.Context, d *db.DB, n, batch int) (time.Duration, error) {
	r := strings.NewReplacer("{ID}", "INTEGER PRIMARY KEY", "{TS}", "TIMESTAMP")
	if d.Dialect == db.Postgres {
		r = strings.NewReplacer("{ID}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "{TS}", "TIMESTAMPTZ")
	}
	if _, err := d.Exec(ctx, "DROP TABLE IF EXISTS "+rawPeopleTable); err != nil {
		return 0, apperr.Wrap(err, "drop "+rawPeopleTable)
	}
	if _, err := d.Exec(ctx, r.Replace(rawPeopleDDL)); err != nil {
		return 0, apperr.Wrap(err, "create "+rawPeopleTable)
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = d.Exec(c, "DROP TABLE IF EXISTS "+rawPeopleTable)
	}()
	units, err := gridUnits(ctx, d)
	if err != nil {
		return 0, err
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", rawPeopleNCols), ", ") + ")"
	full := `INSERT INTO ` + rawPeopleTable + ` (` + rawPeopleCols + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(one+", ", rawChunk), ", ")
	single := `INSERT INTO ` + rawPeopleTable + ` (` + rawPeopleCols + `) VALUES ` + one
	now := time.Now().UTC()
	args := make([]any, 0, rawChunk*rawPeopleNCols)
	add := func(i int) {
		row := g.row(i)
		u := units[row[6]]
		gender := "1"
		if (row[0][16]-'0')%2 == 0 {
			gender = "2"
		}
		birth := row[0][6:10] + "-" + row[0][10:12] + "-" + row[0][12:14]
		args = append(args, registry.IDResident, row[0], row[1], gender, birth, row[4], "", "CHN", "", "", "",
			"registered", "", row[5], "", row[6], u[0], u[1], string(registry.SourceBase), "", now, now)
	}
	start := time.Now()
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := d.WithTx(ctx, func(ctx context.Context) error {
			i := lo
			for ; i+rawChunk <= hi; i += rawChunk {
				args = args[:0]
				for j := i; j < i+rawChunk; j++ {
					add(j)
				}
				if _, err := d.Exec(ctx, full, args...); err != nil {
					return apperr.Wrap(err, "raw insert")
				}
			}
			for ; i < hi; i++ {
				args = args[:0]
				add(i)
				if _, err := d.Exec(ctx, single, args...); err != nil {
					return apperr.Wrap(err, "raw insert")
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// gridUnits maps grid codes to their unit code and path.
func gridUnits(ctx context.Context, d *db.DB) (map[string][2]string, error) {
	all, err := orgdir.New(d).GridUnits(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "grids")
	}
	out := make(map[string][2]string, len(all))
	for _, g := range all {
		out[g.Grid] = [2]string{g.Unit.Code, g.Unit.Path}
	}
	return out, nil
}

// search times lookups by ID-card number of random imported people.
func (g personGen) search(ctx context.Context, deps RegistryDeps, n int) (RegistryResult, error) {
	rnd := rand.New(rand.NewPCG(uint64(n), 42))
	took := make([]time.Duration, searchLookups)
	for k := range took {
		i := rnd.IntN(n)
		id := g.row(i)[0]
		start := time.Now()
		people, total, err := deps.Registry.People(ctx, registry.PeopleFilter{IDNumber: id, Limit: 1})
		took[k] = time.Since(start)
		if err != nil {
			return RegistryResult{}, fmt.Errorf("search: %w", err)
		}
		if total != 1 || len(people) != 1 {
			return RegistryResult{}, apperr.Newf(apperr.Internal, "bench: lookup of person %d found %d", i, total)
		}
	}
	sort.Slice(took, func(a, b int) bool { return took[a] < took[b] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return RegistryResult{Workload: WorkloadPeopleSearch, P50ms: ms(took[len(took)/2]),
		P99ms: ms(took[len(took)*99/100]), Rows: n, Database: string(deps.DB.Dialect)}, nil
}

// fileSize is the size of a file, 0 when missing.
func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

package transfer_test

import (
	"context"
	"errors"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

// peopleIndexes returns the indexes of people by name with their
// definitions as the database keeps them.
func peopleIndexes(t testing.TB, d *db.DB) map[string]string {
	t.Helper()
	q := `SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people'`
	if d.Dialect == db.Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'people'`
	}
	rows, err := d.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, def string
		if err := rows.Scan(&n, &def); err != nil {
			t.Fatal(err)
		}
		out[n] = def
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameIndexes fails unless got holds exactly the indexes of want.
func sameIndexes(t testing.TB, when string, got, want map[string]string) {
	t.Helper()
	for n, def := range want {
		if got[n] != def {
			t.Errorf("%s: index %s is %q, want %q", when, n, got[n], def)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("%s: unexpected index %s", when, n)
		}
	}
}

// deferRows is the file of n valid rows, half in each grid.
func (f *impFixture) deferRows(t testing.TB, name string, n int) string {
	rows := [][]string{impHeader}
	for i := 0; i < n; i++ {
		rows = append(rows, impRow(i, []string{"G1", "G2"}[i%2]))
	}
	return f.writeCSV(t, name, rows)
}

// TestImportDefersIndexes: a large import on SQLite drops people_scope,
// people_grid, people_name and people_phone while it loads (keeping the
// ID-card index it matches rows with), readers meanwhile get correct
// answers, and afterwards the indexes are back exactly as the migrations
// defined them.
func TestImportDefersIndexes(t *testing.T) {
	defer transfer.SetDeferMinRowsForTest(100)()
	d := dbtest.Open(t, db.SQLite)
	f := newImpFixture(t, d)
	before := peopleIndexes(t, d)
	for _, n := range []string{"people_scope", "people_grid", "people_phone", "people_name"} {
		if before[n] == "" {
			t.Fatalf("migrations define no %s: %v", n, before)
		}
	}
	var during []map[string]string
	job, err := f.reg.ImportPeople(f.sys, f.deferRows(t, "big.csv", 400), transfer.ImportOptions{UnitCode: "410105",
		BatchSize: 100, Progress: func(done, total int) {
			during = append(during, peopleIndexes(t, d))
			// A reader during the import: the grid's people without people_grid.
			_, n, err := f.reg.People(f.sys, registry.PeopleFilter{GridCode: "G1"})
			if err != nil || n != done/2 {
				t.Errorf("after %d rows: %d people in G1 (%v), want %d", done, n, err, done/2)
			}
		}})
	if err != nil || job.Inserted != 400 {
		t.Fatalf("import: %v %+v", err, job)
	}
	if len(during) != 4 {
		t.Fatalf("%d batches seen", len(during))
	}
	for _, ix := range during {
		for _, n := range []string{"people_scope", "people_grid", "people_name", "people_phone"} {
			if _, ok := ix[n]; ok {
				t.Errorf("%s present during a large import", n)
			}
		}
		for _, n := range []string{"people_household", "people_house"} {
			if _, ok := ix[n]; !ok {
				t.Errorf("%s dropped during a large import", n)
			}
		}
	}
	sameIndexes(t, "after the import", peopleIndexes(t, d), before)
	// The rebuilt indexes are complete: a query served by people_grid.
	if _, n, err := f.reg.People(f.sys, registry.PeopleFilter{GridCode: "G2"}); err != nil || n != 200 {
		t.Fatalf("G2: %d %v", n, err)
	}
	var check string
	if err := d.QueryRow(context.Background(), `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}

	// A file no larger than the people stored leaves the indexes alone.
	during = nil
	job, err = f.reg.ImportPeople(f.sys, f.deferRows(t, "same.csv", 300), transfer.ImportOptions{UnitCode: "410105",
		BatchSize: 100, Progress: func(int, int) { during = append(during, peopleIndexes(t, d)) }})
	if err != nil || job.Unchanged != 300 {
		t.Fatalf("re-import: %v %+v", err, job)
	}
	for _, ix := range during {
		sameIndexes(t, "during a small import", ix, before)
	}
}

// TestImportIndexesBackAfterFailure: a large import that is cancelled, or
// fails on a database error, builds the indexes again before it returns.
func TestImportIndexesBackAfterFailure(t *testing.T) {
	defer transfer.SetDeferMinRowsForTest(100)()
	d := dbtest.Open(t, db.SQLite)
	f := newImpFixture(t, d)
	before := peopleIndexes(t, d)
	path := f.deferRows(t, "big.csv", 500)

	ctx, cancel := context.WithCancel(f.sys)
	dropped := false
	job, err := f.reg.ImportPeople(ctx, path, transfer.ImportOptions{UnitCode: "410105", BatchSize: 100,
		Progress: func(done, total int) {
			_, ok := peopleIndexes(t, d)["people_scope"]
			dropped = dropped || !ok
			if done >= 200 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) || job.Status != transfer.JobRunning || !dropped {
		t.Fatalf("cancelled import: %v %+v (dropped %v)", err, job, dropped)
	}
	sameIndexes(t, "after a cancelled import", peopleIndexes(t, d), before)

	// A database error in the third batch of a new file.
	if _, err := d.Exec(context.Background(), `CREATE TRIGGER boom BEFORE INSERT ON people
		WHEN NEW.name = '测试1250' BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	rows := [][]string{impHeader}
	for i := 1000; i < 1400; i++ {
		rows = append(rows, impRow(i, "G1"))
	}
	dropped = false
	job, err = f.reg.ImportPeople(f.sys, f.writeCSV(t, "fails.csv", rows), transfer.ImportOptions{UnitCode: "410105",
		BatchSize: 100, Progress: func(int, int) {
			_, ok := peopleIndexes(t, d)["people_grid"]
			dropped = dropped || !ok
		}})
	if err == nil || job.Status != transfer.JobFailed || job.RowsDone != 200 || !dropped {
		t.Fatalf("failed import: %v %+v (dropped %v)", err, job, dropped)
	}
	sameIndexes(t, "after a failed import", peopleIndexes(t, d), before)

	// The interrupted job resumes with 300 rows left, fewer than the 400
	// people stored: it only makes sure the indexes are there.
	if _, err := d.Exec(context.Background(), `DROP INDEX people_phone`); err != nil {
		t.Fatal(err)
	}
	job, err = f.reg.ImportPeople(f.sys, path, transfer.ImportOptions{UnitCode: "410105", BatchSize: 100,
		Progress: func(int, int) { sameIndexes(t, "during the resumed import", peopleIndexes(t, d), before) }})
	if err != nil || job.Status != transfer.JobDone || job.Inserted != 500 {
		t.Fatalf("resumed import: %v %+v", err, job)
	}
	sameIndexes(t, "after the resumed import", peopleIndexes(t, d), before)
}

// TestEnsureIndexesAfterCrash: indexes a large import dropped before the
// process died come back, as the migrations defined them, when a service
// is opened and EnsureIndexes runs (as the application does at start).
func TestEnsureIndexesAfterCrash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		ctx := context.Background()
		before := peopleIndexes(t, d)
		for _, n := range []string{"people_scope", "people_grid", "people_name", "people_phone"} {
			if _, err := d.Exec(ctx, `DROP INDEX `+n); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok := peopleIndexes(t, d)["people_grid"]; ok {
			t.Fatal("people_grid not dropped")
		}
		reg := registry.NewService(d, nil, nil, f.reg.Sealer(), nil)
		if err := reg.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		sameIndexes(t, "after EnsureIndexes", peopleIndexes(t, d), before)
		// Idempotent.
		if err := reg.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
		sameIndexes(t, "after EnsureIndexes twice", peopleIndexes(t, d), before)
	})
}

package transfer_test

import (
	"context"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry/transfer"
)

// TestImportRestoresWriterPragmas: the larger page cache and checkpoint
// interval of an import are the writer's only while it runs, and the
// import leaves its WAL copied back and truncated.
func TestImportRestoresWriterPragmas(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	f := newImpFixture(t, d)
	ctx := context.Background()
	pragma := func(name string) int {
		t.Helper()
		var v int
		if err := d.QueryRow(ctx, `PRAGMA `+name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	cache, checkpoint := pragma("cache_size"), pragma("wal_autocheckpoint")
	var progress []int
	rows := [][]string{impHeader}
	for i := 0; i < 300; i++ {
		rows = append(rows, impRow(i, "G1"))
	}
	job, err := f.reg.ImportPeople(f.sys, f.writeCSV(t, "people.csv", rows), transfer.ImportOptions{UnitCode: "410105001",
		BatchSize: 100, Progress: func(done, total int) {
			// During the import the writer checkpoints rarely.
			progress = append(progress, pragma("wal_autocheckpoint"))
		}})
	if err != nil || job.Inserted != 300 {
		t.Fatalf("import: %v %+v", err, job)
	}
	for _, v := range progress {
		if v <= checkpoint {
			t.Fatalf("wal_autocheckpoint during the import %d, want above %d", v, checkpoint)
		}
	}
	if got := pragma("cache_size"); got != cache {
		t.Errorf("cache_size after the import %d, want %d", got, cache)
	}
	if got := pragma("wal_autocheckpoint"); got != checkpoint {
		t.Errorf("wal_autocheckpoint after the import %d, want %d", got, checkpoint)
	}
	var busy, logPages, done int
	if err := d.QueryRow(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &done); err != nil {
		t.Fatal(err)
	}
	if logPages != 0 {
		t.Errorf("WAL holds %d pages after the import, want it truncated", logPages)
	}
}

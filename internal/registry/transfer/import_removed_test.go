package transfer_test

import (
	"context"
	"strings"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

// liveByID returns the ids of the people People finds by ID number.
func liveByID(t *testing.T, f *impFixture, id string) []int64 {
	t.Helper()
	ps, total, err := f.reg.People(f.sys, registry.PeopleFilter{IDNumber: id})
	if err != nil {
		t.Fatal(err)
	}
	if total != len(ps) {
		t.Fatalf("total %d, listed %d", total, len(ps))
	}
	var out []int64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// removedRows counts the removed records of a name.
func removedRows(t *testing.T, d *db.DB, name string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM people WHERE name = ? AND deleted_at IS NOT NULL`,
		name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRemovedPersonIDRegisteredAgain: removing a person frees their ID
// number. Creating a person with it makes a new record (the removed one
// stays as history), the number stays unique among live people, lookups
// see only the live record, and an import row whose only match is a
// removed person becomes a new live person, with or without ID number.
func TestRemovedPersonIDRegisteredAgain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		opts := transfer.ImportOptions{UnitCode: "410105001", Source: registry.SourceBase}
		rows := [][]string{impHeader, impRow(0, "G1"), impRow(1, "G1"), impRow(2, "G2"),
			{"", "无证件", "女", "2001-02-03", "", "y", "G1"}}
		path := f.writeCSV(t, "people.csv", rows)
		if job, err := f.reg.ImportPeople(f.sys, path, opts); err != nil || job.Inserted != 4 {
			t.Fatalf("first import: %v %+v", err, job)
		}
		old := liveByID(t, f, impID(0))
		if len(old) != 1 {
			t.Fatalf("found %v, want one person", old)
		}
		if err := f.reg.RemovePerson(f.sys, old[0], "迁出本市"); err != nil {
			t.Fatal(err)
		}
		if got := liveByID(t, f, impID(0)); len(got) != 0 {
			t.Fatalf("removed person found by ID: %v", got)
		}

		again, err := f.reg.CreatePerson(f.sys, registry.PersonInput{Name: "测试0", IDNumber: impID(0), GridCode: "G2",
			Address: "回迁"})
		if err != nil {
			t.Fatalf("registering a removed person's number: %v", err)
		}
		if again.ID == old[0] {
			t.Fatal("the removed record was reused")
		}
		if got := liveByID(t, f, impID(0)); len(got) != 1 || got[0] != again.ID {
			t.Fatalf("lookup after re-registering: %v, want [%d]", got, again.ID)
		}
		if n := removedRows(t, d, "测试0"); n != 1 {
			t.Fatalf("%d removed records of 测试0, want the history kept", n)
		}
		_, err = f.reg.CreatePerson(f.sys, registry.PersonInput{Name: "测试0", IDNumber: impID(0), GridCode: "G1"})
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict {
			t.Fatalf("second live person with the number: %v, want a conflict", err)
		}

		// Remove two more, one with and one without ID number, and import
		// the file again: those rows come back as new live people, the
		// re-registered one is updated from the file, never duplicated.
		p1 := liveByID(t, f, impID(1))
		var noID int64
		if err := d.QueryRow(context.Background(), `SELECT id FROM people WHERE name = ?`, "无证件").Scan(&noID); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{p1[0], noID} {
			if err := f.reg.RemovePerson(f.sys, id, "核销"); err != nil {
				t.Fatal(err)
			}
		}
		job, err := f.reg.ImportPeople(f.sys, f.writeCSV(t, "people2.csv", rows), opts)
		if err != nil {
			t.Fatal(err)
		}
		if job.Inserted != 2 || job.Updated != 1 || job.Unchanged != 1 || job.Failed != 0 {
			t.Fatalf("import over removed people: %+v", job)
		}
		if got := liveByID(t, f, impID(1)); len(got) != 1 || got[0] == p1[0] {
			t.Fatalf("lookup of re-imported person: %v (removed was %d)", got, p1[0])
		}
		if got := liveByID(t, f, impID(0)); len(got) != 1 || got[0] != again.ID {
			t.Fatalf("re-registered person after import: %v, want [%d]", got, again.ID)
		}
		job, err = f.reg.ImportPeople(f.sys, f.writeCSV(t, "people3.csv", rows), opts)
		if err != nil || job.Inserted != 0 || job.Unchanged != 4 {
			t.Fatalf("re-import: %v %+v", err, job)
		}
		var live, all int
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM people WHERE deleted_at IS NULL`).Scan(&live)
		_ = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM people`).Scan(&all)
		if live != 4 || all != 7 {
			t.Fatalf("%d live of %d people, want 4 of 7", live, all)
		}
	})
}

// TestMigrationFreesRemovedIDs applies migration 0018's data step to a
// removed person stored as before it (blind index still in id_bidx): the
// number is then free, and the live people keep theirs.
func TestMigrationFreesRemovedIDs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		ctx := context.Background()
		path := f.writeCSV(t, "people.csv", [][]string{impHeader, impRow(0, "G1"), impRow(1, "G1")})
		if _, err := f.reg.ImportPeople(f.sys, path, transfer.ImportOptions{UnitCode: "410105001"}); err != nil {
			t.Fatal(err)
		}
		gone := liveByID(t, f, impID(0))[0]
		// Removed the old way: deleted_at set, the blind index kept.
		if _, err := d.Exec(ctx, `UPDATE people SET deleted_at = updated_at WHERE id = ?`, gone); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reg.CreatePerson(f.sys, registry.PersonInput{Name: "x", IDNumber: impID(0), GridCode: "G1"}); err == nil {
			t.Fatal("before the migration step the removed number should still be taken")
		}
		ms, err := db.Migrations(d.Dialect)
		if err != nil {
			t.Fatal(err)
		}
		var step string
		for _, m := range ms {
			if m.Version == 18 {
				for _, stmt := range strings.Split(m.SQL, ";") {
					if strings.Contains(stmt, "UPDATE people") {
						step = stmt
					}
				}
			}
		}
		if step == "" {
			t.Fatal("migration 0018 has no UPDATE people step")
		}
		if _, err := d.Exec(ctx, step); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reg.CreatePerson(f.sys, registry.PersonInput{Name: "x", IDNumber: impID(0), GridCode: "G1"}); err != nil {
			t.Fatalf("after the migration step: %v", err)
		}
		if got := liveByID(t, f, impID(1)); len(got) != 1 {
			t.Fatalf("live person lost their number: %v", got)
		}
		var moved int
		_ = d.QueryRow(ctx, `SELECT COUNT(*) FROM people WHERE id = ? AND id_bidx IS NULL AND removed_id_bidx IS NOT NULL`,
			gone).Scan(&moved)
		if moved != 1 {
			t.Fatal("the removed person's blind index was not kept in removed_id_bidx")
		}
	})
}

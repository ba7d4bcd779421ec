package transfer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

// impFixture is 郑州市 with a district, a street, two communities with a
// grid each, and the registry service acting as the system.
type impFixture struct {
	d   *db.DB
	reg *services
	sys context.Context
	dir string
}

func newImpFixture(t testing.TB, d *db.DB) *impFixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgs := org.NewService(d, log, clk)
	for _, u := range []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City},
		{Code: "410105", Name: "金水区", Level: org.District, ParentCode: "410100"},
		{Code: "410105001", Name: "经八路街道", Level: org.Street, ParentCode: "410105"},
		{Code: "410105001001", Name: "经八路社区", Level: org.Community, ParentCode: "410105001"},
		{Code: "410105001002", Name: "黄河路社区", Level: org.Community, ParentCode: "410105001"},
	} {
		u.Kind = org.Territory
		if _, err := orgs.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	for _, g := range []org.GridInput{
		{Code: "G1", Name: "经八路一网格", Level: 3, UnitCode: "410105001001"},
		{Code: "G2", Name: "黄河路一网格", Level: 3, UnitCode: "410105001002"},
	} {
		if _, err := orgs.CreateGrid(sys, g); err != nil {
			t.Fatalf("grid %s: %v", g.Code, err)
		}
	}
	seal, err := seal.NewSealer(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &impFixture{d: d, reg: newServices(d, log, clk, seal), sys: sys, dir: t.TempDir()}
}

// as acts as a user holding perms over unit's subtree.
func (f *impFixture) as(t testing.TB, unit string, perms ...rbac.Permission) context.Context {
	t.Helper()
	var path string
	if err := f.d.QueryRow(context.Background(), `SELECT path FROM org_units WHERE code = ?`, unit).Scan(&path); err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, p := range perms {
		m[string(p)] = true
	}
	return actor.With(context.Background(), &actor.Actor{UserID: 7, Username: "u-" + unit, UnitCode: unit,
		Grants: []actor.Grant{{Role: "r", ScopeCode: unit, ScopePath: path, Perms: m}}})
}

// impID is the i-th synthetic ID number (born 1980 + i/1000 days).
func impID(i int) string {
	birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/1000)
	return seal.MakeIDNumber(fmt.Sprintf("410105%s%03d", birth.Format("20060102"), i%1000))
}

func impPhone(i int) string { return fmt.Sprintf("139%08d", i) }

var impHeader = []string{"id_number", "name", "gender", "birth_date", "phone", "address", "grid_code"}

// impRow is a valid row for person i in grid g.
func impRow(i int, g string) []string {
	return []string{impID(i), fmt.Sprintf("测试%d", i), "", "", impPhone(i), fmt.Sprintf("经八路%d号", i), g}
}

// writeCSV writes rows (header first) as a UTF-8 CSV file.
func (f *impFixture) writeCSV(t testing.TB, name string, rows [][]string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func countPeople(t testing.TB, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM people`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportPeopleRowsReimportAndFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		badCheck := impID(3)
		badCheck = badCheck[:17] + map[bool]string{true: "1", false: "0"}[badCheck[17] == '0']
		rows := [][]string{impHeader,
			impRow(1, "G1"),
			impRow(2, "G2"),
			{badCheck, "坏校验", "", "", impPhone(3), "x", "G1"},
			{impID(4), "坏电话", "", "", "12345", "x", "G1"},
			{impID(5), "无网格", "", "", impPhone(5), "x", "G9"},
			impRow(1, "G2"), // duplicate of line 2
			impRow(6, ""),   // awaiting a grid
			{"", "无证件", "女", "2001-02-03", "", "y", "G1"}, // identity by name, birth, phone, unit
		}
		path := f.writeCSV(t, "people.csv", rows)
		opts := transfer.ImportOptions{UnitCode: "410105001", Source: registry.SourceBase}
		job, err := f.reg.ImportPeople(f.sys, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if job.Status != transfer.JobDone || job.RowsTotal != 8 || job.RowsDone != 8 || job.Inserted != 4 || job.Failed != 4 {
			t.Fatalf("job %+v", job)
		}
		want := map[int]string{4: "id_number", 5: "phone", 6: "grid_code", 7: "id_number"}
		for _, fl := range job.Failures {
			if want[fl.Line] != fl.Field {
				t.Errorf("line %d: field %q, want %q (%s)", fl.Line, fl.Field, want[fl.Line], fl.Problem)
			}
			if strings.Contains(fl.Problem, badCheck) || strings.Contains(fl.Problem, "12345") || strings.Contains(fl.Problem, impID(4)) {
				t.Errorf("line %d: problem echoes an identifier: %s", fl.Line, fl.Problem)
			}
			delete(want, fl.Line)
		}
		if len(want) != 0 {
			t.Fatalf("missing failures %v in %+v", want, job.Failures)
		}
		if !strings.Contains(job.Failures[3].Problem, "line 2") {
			t.Errorf("duplicate does not name the first line: %s", job.Failures[3].Problem)
		}
		var grid *string
		var unit string
		if err := d.QueryRow(context.Background(), `SELECT grid_code, unit_code FROM people WHERE name = ?`, "测试6").Scan(&grid, &unit); err != nil {
			t.Fatal(err)
		}
		if grid != nil || unit != "410105001" {
			t.Fatalf("row without grid: grid %v unit %s, want awaiting in 410105001", grid, unit)
		}
		var out bytes.Buffer
		if err := f.reg.WriteImportFailures(f.sys, job.ID, &out, "csv"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 5 || recs[0][7] != "错误原因" || recs[1][1] != "坏校验" {
			t.Fatalf("failures file %v %v", recs, err)
		}
		out.Reset()
		if err := f.reg.WriteImportFailures(f.sys, job.ID, &out, "xlsx"); err != nil || !bytes.HasPrefix(out.Bytes(), []byte("PK")) {
			t.Fatalf("xlsx failures: %v", err)
		}

		// Again: nothing new.
		again, err := f.reg.ImportPeople(f.sys, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID == job.ID || again.Inserted != 0 || again.Updated != 0 || again.Unchanged != 4 || again.Failed != 4 {
			t.Fatalf("re-import %+v", again)
		}
		// An edited row updates, in place.
		rows[2][5] = "新地址"
		rows[8][5] = "新地址"
		edited := f.writeCSV(t, "people2.csv", rows)
		third, err := f.reg.ImportPeople(f.sys, edited, opts)
		if err != nil {
			t.Fatal(err)
		}
		if third.Inserted != 0 || third.Updated != 2 || third.Unchanged != 2 {
			t.Fatalf("edited import %+v", third)
		}
		if n := countPeople(t, d); n != 4 {
			t.Fatalf("%d people, want 4", n)
		}
		var addr string
		var version int
		if err := d.QueryRow(context.Background(), `SELECT address, version FROM people WHERE name = ?`, "测试2").Scan(&addr, &version); err != nil || addr != "新地址" || version != 2 {
			t.Fatalf("updated row: %q v%d %v", addr, version, err)
		}
		jobs, total, err := f.reg.ImportJobs(f.sys, 10, 0)
		if err != nil || total != 3 || len(jobs) != 3 || jobs[0].ID != third.ID {
			t.Fatalf("jobs %d %v", total, err)
		}
	})
}

func TestImportScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		ctx := f.as(t, "410105001001", registry.PermImport, registry.PermRead)
		path := f.writeCSV(t, "p.csv", [][]string{impHeader, impRow(1, "G1"), impRow(2, "G2")})
		job, err := f.reg.ImportPeople(ctx, path, transfer.ImportOptions{UnitCode: "410105001001"})
		if err != nil {
			t.Fatal(err)
		}
		if job.Inserted != 1 || job.Failed != 1 || job.Failures[0].Field != "grid_code" {
			t.Fatalf("a grid outside the scope must be unknown: %+v", job)
		}
		if _, err := f.reg.ImportPeople(ctx, path, transfer.ImportOptions{UnitCode: "410105001002"}); err == nil {
			t.Fatal("imported into a unit outside the scope")
		}
		if _, err := f.reg.ImportJobByID(f.as(t, "410105001002", registry.PermImport), job.ID); err == nil {
			t.Fatal("a job of another unit is visible")
		}
		if _, err := f.reg.ImportPeople(f.as(t, "410105001001", registry.PermRead), path, transfer.ImportOptions{}); err == nil {
			t.Fatal("imported without registry.import")
		}
		// A person registered in the neighbouring community can't be
		// rewritten (or moved in) by this community's import, and the
		// failed row kept in the job holds masks, never the number.
		other := f.writeCSV(t, "o.csv", [][]string{impHeader, impRow(3, "G2")})
		if _, err := f.reg.ImportPeople(f.sys, other, transfer.ImportOptions{UnitCode: "410105001002"}); err != nil {
			t.Fatal(err)
		}
		row := impRow(3, "G1")
		row[1] = "冒名顶替"
		grab := f.writeCSV(t, "g.csv", [][]string{impHeader, row})
		job, err = f.reg.ImportPeople(ctx, grab, transfer.ImportOptions{UnitCode: "410105001001"})
		if err != nil {
			t.Fatal(err)
		}
		if job.Updated != 0 || job.Unchanged != 0 || job.Failed != 1 || !strings.Contains(job.Failures[0].Problem, "outside the scope") {
			t.Fatalf("an import rewrote a person outside its scope: %+v", job)
		}
		for _, cell := range job.Failures[0].Row {
			if cell == impID(3) || cell == impPhone(3) {
				t.Fatalf("the stored failed row holds a plain identifier: %v", job.Failures[0].Row)
			}
		}
		people, _, err := f.reg.People(f.sys, registry.PeopleFilter{IDNumber: impID(3)})
		if err != nil || len(people) != 1 || people[0].Name == "冒名顶替" || people[0].GridCode != "G2" {
			t.Fatalf("the person was changed: %+v %v", people, err)
		}
	})
}

func TestImportResume(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		rows := [][]string{impHeader}
		for i := 0; i < 5000; i++ {
			rows = append(rows, impRow(i, "G1"))
		}
		rows = append(rows, impRow(7, "G2")) // duplicate of a row before the interruption
		path := f.writeCSV(t, "big.csv", rows)
		ctx, cancel := context.WithCancel(f.sys)
		opts := transfer.ImportOptions{UnitCode: "410105", BatchSize: 1000,
			Progress: func(done, total int) {
				if done >= 2000 {
					cancel()
				}
			}}
		job, err := f.reg.ImportPeople(ctx, path, opts)
		if err == nil {
			t.Fatal("an interrupted import reported no error")
		}
		if job.Status != transfer.JobRunning || job.RowsDone != 2000 || job.Inserted != 2000 {
			t.Fatalf("interrupted job %+v", job)
		}
		opts.Progress = nil
		resumed, err := f.reg.ImportPeople(f.sys, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if resumed.ID != job.ID || resumed.Status != transfer.JobDone || resumed.RowsDone != 5001 ||
			resumed.Inserted != 5000 || resumed.Failed != 1 || resumed.Unchanged != 0 {
			t.Fatalf("resumed job %+v", resumed)
		}
		if !strings.Contains(resumed.Failures[0].Problem, "line 9") {
			t.Fatalf("duplicate across the interruption: %+v", resumed.Failures)
		}
		if n := countPeople(t, d); n != 5000 {
			t.Fatalf("%d people, want 5000", n)
		}
	})
}

func TestImportXLSXAndGBK(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		x := excelize.NewFile()
		head := []any{"身份证号", "姓名", "性别", "出生日期", "联系电话", "现住址", "网格编码", "备注"}
		_ = x.SetSheetRow("Sheet1", "A1", &head)
		r := []any{impID(1), "表格一", "男", "", impPhone(1), "地址", "G1", "ignored"}
		if impIDGender(1) == "2" {
			r[2] = "女"
		}
		_ = x.SetSheetRow("Sheet1", "A2", &r)
		xp := filepath.Join(f.dir, "people.dat") // told by content, not by name
		if err := x.SaveAs(xp + ".xlsx"); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(xp+".xlsx", xp); err != nil {
			t.Fatal(err)
		}
		job, err := f.reg.ImportPeople(f.sys, xp, transfer.ImportOptions{UnitCode: "410105"})
		if err != nil || job.Inserted != 1 || job.Failed != 0 {
			t.Fatalf("xlsx %+v %v", job, err)
		}
		if len(job.Warnings) != 1 || !strings.Contains(job.Warnings[0], "备注") {
			t.Fatalf("warnings %v", job.Warnings)
		}
		text := "姓名,身份证号,网格,电话\n国标二," + impID(2) + ",G2," + impPhone(2) + "\n"
		gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
		if err != nil {
			t.Fatal(err)
		}
		gp := filepath.Join(f.dir, "gbk.csv")
		if err := os.WriteFile(gp, []byte(gbk), 0o600); err != nil {
			t.Fatal(err)
		}
		job, err = f.reg.ImportPeople(f.sys, gp, transfer.ImportOptions{UnitCode: "410105",
			Mapping: map[string]string{"电话": "phone"}})
		if err != nil || job.Inserted != 1 {
			t.Fatalf("gbk %+v %v", job, err)
		}
		var name string
		if err := d.QueryRow(context.Background(), `SELECT name FROM people WHERE grid_code = ?`, "G2").Scan(&name); err != nil || name != "国标二" {
			t.Fatalf("gbk name %q %v", name, err)
		}
		// The template reads back.
		var tpl bytes.Buffer
		if err := transfer.WritePeopleTemplate(&tpl, "csv"); err != nil {
			t.Fatal(err)
		}
		tp := filepath.Join(f.dir, "tpl.csv")
		_ = os.WriteFile(tp, append(tpl.Bytes(), []byte(strings.Join(impRow(3, "G1"), ",")+"\n")...), 0o600)
		job, err = f.reg.ImportPeople(f.sys, tp, transfer.ImportOptions{UnitCode: "410105"})
		if err != nil || job.Inserted != 1 || len(job.Warnings) != 0 {
			t.Fatalf("template %+v %v", job, err)
		}
	})
}

// impIDGender is the gender the i-th ID number encodes.
func impIDGender(i int) string {
	if (impID(i)[16]-'0')%2 == 0 {
		return "2"
	}
	return "1"
}

func TestImportExportNoPlaintext(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		rows := [][]string{impHeader}
		for i := 0; i < 50; i++ {
			rows = append(rows, impRow(i, []string{"G1", "G2", ""}[i%3]))
		}
		job, err := f.reg.ImportPeople(f.sys, f.writeCSV(t, "p.csv", rows), transfer.ImportOptions{UnitCode: "410105"})
		if err != nil || job.Inserted != 50 {
			t.Fatalf("%+v %v", job, err)
		}
		for _, format := range []string{"csv", "xlsx"} {
			var out bytes.Buffer
			ctx := f.as(t, "410105001001", registry.PermRead, registry.PermExport)
			n, err := f.reg.ExportPeople(ctx, registry.PeopleFilter{}, &out, format)
			if err != nil || n != 17 {
				t.Fatalf("%s export: %d rows, %v", format, n, err)
			}
			text := out.String()
			if format == "xlsx" {
				x, err := excelize.OpenReader(&out)
				if err != nil {
					t.Fatal(err)
				}
				all, _ := x.GetRows(x.GetSheetList()[0])
				var b strings.Builder
				for _, r := range all {
					b.WriteString(strings.Join(r, ",") + "\n")
				}
				text = b.String()
			}
			if strings.Contains(text, impID(0)) || strings.Contains(text, impPhone(0)) ||
				!strings.Contains(text, seal.MaskID(impID(0))) || !strings.Contains(text, seal.MaskPhone(impPhone(0))) {
				t.Fatalf("%s export is not masked:\n%.300s", format, text)
			}
		}
		if _, err := f.reg.ExportPeople(f.as(t, "410105", registry.PermRead), registry.PeopleFilter{}, &bytes.Buffer{}, "csv"); err == nil {
			t.Fatal("exported without registry.export")
		}
		// A download cut short is on record: the export is audited before
		// its first row is written.
		var before int
		countExports := func() int {
			var n int
			if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "person.export").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before = countExports()
		if _, err := f.reg.ExportPeople(f.sys, registry.PeopleFilter{}, failingWriter{}, "csv"); err == nil {
			t.Fatal("an export into a broken connection reported no error")
		}
		if countExports() != before+1 {
			t.Fatal("an export cut short left no audit entry")
		}
		var hay []byte
		if d.Dialect == db.SQLite {
			for _, suffix := range []string{"", "-wal"} {
				b, err := os.ReadFile(d.Where + suffix)
				if err == nil {
					hay = append(hay, b...)
				}
			}
		} else {
			rs, err := d.Query(context.Background(), `SELECT p::text FROM people p UNION ALL SELECT j::text FROM import_jobs j
				UNION ALL SELECT a::text FROM audit_log a`)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var s string
				_ = rs.Scan(&s)
				hay = append(hay, s...)
			}
			rs.Close()
		}
		if len(hay) == 0 {
			t.Fatal("nothing read from the database")
		}
		for i := 0; i < 50; i++ {
			if bytes.Contains(hay, []byte(impID(i))) || bytes.Contains(hay, []byte(impPhone(i))) {
				t.Fatalf("plaintext identifier of person %d in the database", i)
			}
		}
	})
}

func TestImport100k(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newImpFixture(t, d)
		p := filepath.Join(f.dir, "100k.csv")
		var b bytes.Buffer
		b.WriteString(strings.Join(impHeader, ",") + "\n")
		for i := 0; i < 100_000; i++ {
			b.WriteString(strings.Join(impRow(i, []string{"G1", "G2"}[i%2]), ",") + "\n")
		}
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		job, err := f.reg.ImportPeople(f.sys, p, transfer.ImportOptions{UnitCode: "410105"})
		if err != nil || job.Inserted != 100_000 || job.Failed != 0 {
			t.Fatalf("%+v %v", job, err)
		}
		t.Logf("%s: 100,000 rows in %s", d.Dialect, time.Since(start))
		var audits int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "person.import").Scan(&audits); err != nil || audits != 100_000/transfer.DefaultImportBatch {
			t.Fatalf("%d batch audit entries, want %d (%v)", audits, 100_000/transfer.DefaultImportBatch, err)
		}
		people, total, err := f.reg.People(f.sys, registry.PeopleFilter{IDNumber: impID(99_999)})
		if err != nil || total != 1 || people[0].Name != "测试99999" {
			t.Fatalf("lookup %v %d %v", people, total, err)
		}
	})
}

// failingWriter is a connection that breaks at once.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }
